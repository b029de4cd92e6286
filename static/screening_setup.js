// The new-question form of a screening survey: show the fields of the chosen kind only (a
// rating's scale, a ranking's points, a choice's options, where the items come from). Hidden
// fields are disabled, so what was typed into them before the kind changed is not sent.
// Without this script every field shows, and the services refuse the ones a kind lacks.
(() => {
  const form = document.querySelector("form[data-question-kinds]");
  if (!form) return;
  const show = () => {
    const kind = form.querySelector("input[name=kind]:checked")?.value;
    form.querySelectorAll("[data-kinds]").forEach((group) => {
      const on = !kind || group.dataset.kinds.split(" ").includes(kind);
      group.hidden = !on;
      group.style.display = on ? "" : "none"; // the stylesheet's display rules outrank [hidden]
      group.querySelectorAll("input, select, textarea").forEach((input) => {
        input.disabled = !on;
      });
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "kind") show();
  });
  show();
})();
