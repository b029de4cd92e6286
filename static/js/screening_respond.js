// The screening questionnaire from round 2 on: a reason box shows only beside an answer that
// changed since the expert's previous round. Without this script every reason box is there,
// folded; the server asks for a reason on submit whatever the script does.
(() => {
  const form = document.getElementById("screening-form");
  if (!form) return;
  const boxes = [...form.querySelectorAll("details[data-reason]")];

  // A rating's current level ("none" for "cannot judge"), or "" while none is chosen.
  const ratingNow = (item) =>
    form.querySelector(`input[name="rating-${item}"]:checked`)?.value ?? "";

  // A ranking's current place of the item among the items the previous round asked too (those
  // with a reason box), as the server compares places: an item added since moves no other.
  const rankingNow = (question, item) => {
    const compared = new Set(
      boxes.filter((box) => box.dataset.question === question).map((box) => box.dataset.item),
    );
    const order = [];
    form.querySelectorAll(`select[data-ranking="${question}"]`).forEach((select) => {
      if (compared.has(select.value) && !order.includes(select.value)) order.push(select.value);
    });
    const place = order.indexOf(item);
    return place < 0 ? "" : String(place + 1);
  };

  const changed = (box) => {
    const { reason, question, item, previous } = box.dataset;
    if (reason === "rating") {
      const now = ratingNow(item);
      return now !== "" && now !== previous;
    }
    return rankingNow(question, item) !== previous;
  };

  const update = () => {
    boxes.forEach((box) => {
      const text = box.querySelector("textarea");
      const needed = changed(box);
      const keep = needed || text.value.trim() !== "" || text.getAttribute("aria-invalid");
      // In a rating's table the box has a row of its own: hide the row, not an empty cell.
      (box.closest("tr.reason-row") ?? box).hidden = !keep;
      if (needed && !box.dataset.opened) {
        box.open = true; // once: the expert may fold it again
        box.dataset.opened = "1";
      }
    });
  };

  form.addEventListener("change", update);
  update();
})();
