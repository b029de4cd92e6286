// Small behaviours of every page, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts. Every page works without them.
(() => {
  // The language menu switches on change (a button does it without JavaScript).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  // Forms that undo something ask first.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // After a failed save the page comes back with the form unfolded: put the cursor on its
  // first error.
  document.querySelector('[data-focus-error] [aria-invalid="true"]')?.focus();

  // Without JavaScript the empty last row adds one item per save; with it, rows can be added
  // here. The template row carries Django's "__prefix__" placeholder for the form index.
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    const prefix = button.dataset.addRow;
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const rows = document.getElementById(`${prefix}-rows`);
    const template = document.getElementById(`${prefix}-empty-row`);
    button.hidden = false;
    button.addEventListener("click", () => {
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, total.value));
      total.value = Number(total.value) + 1;
      rows.lastElementChild.querySelector("input:not([type=hidden]), textarea").focus();
    });
  });

  // A wide table or chart that scrolls sideways (on a phone, or zoomed in) takes the keyboard
  // focus while it scrolls, so it can be scrolled without a mouse (WCAG 2.1.1); only then, so
  // that wide screens get no extra tab stops.
  const scrollers = ".table-scroll, .chart-figure, main table.data";
  const focusWhileScrolling = () => {
    document.querySelectorAll(scrollers).forEach((region) => {
      const scrolls = region.scrollWidth > region.clientWidth + 1
        && getComputedStyle(region).overflowX !== "visible";
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.tabIndex = 0;
        region.dataset.scrollFocus = "";
      } else if (!scrolls && "scrollFocus" in region.dataset) {
        region.removeAttribute("tabindex");
        delete region.dataset.scrollFocus;
      }
    });
  };
  focusWhileScrolling();
  window.addEventListener("resize", focusWhileScrolling);
})();
