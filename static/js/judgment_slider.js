// The slider beside each number box on the continuous judgment scale. The number box is the
// form's field (the form works without this file); the slider is shown only with JavaScript
// and kept in step with the box both ways. Log scale: position s in [-100, 100] stands for
// 9^(-s/100), so the centre is 1, the left end 9 (the left indicator more important) and the
// right end 1/9; the arrow keys move it by one position (about 2 %), Page Up/Down by ten.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) return;
  var LOG9 = Math.log(9);

  // "2.5" → 2.5, "1/2.5" → 0.4, "0.8" → 0.8; anything else → NaN. The server parses and checks
  // again (the range too): this only places the slider.
  function parse(text) {
    var found = /^\s*(\d{1,3}(?:\.\d{1,16})?)(?:\s*\/\s*(\d{1,3}(?:\.\d{1,6})?))?\s*$/.exec(text || "");
    if (!found) return NaN;
    var value = found[2] === undefined ? Number(found[1]) : Number(found[1]) / Number(found[2]);
    return value > 0 && isFinite(value) ? value : NaN;
  }

  function decimals(x) { return String(Number(x.toFixed(2))); }

  // What the slider at s writes in the box: "2.37" on the left side, "1/2.37" on the right.
  function tokenAt(s) {
    if (s === 0) return "1";
    var value = Math.pow(9, -s / 100);
    return value > 1 ? decimals(value) : "1/" + decimals(1 / value);
  }

  function positionOf(value) {
    var s = Math.round(-100 * Math.log(value) / LOG9);
    return Math.max(-100, Math.min(100, s));
  }

  function inRange(value) { return value >= (1 - 1e-9) / 9 && value <= 9 * (1 + 1e-9); }

  function describe(slider, box) {
    var value = parse(box.value);
    var text;
    if (box.value.trim() && !(inRange(value))) text = slider.dataset.outside;
    else if (isNaN(value)) text = slider.dataset.unset;
    else if (Math.abs(value - 1) < 1e-9) text = slider.dataset.equal;
    else if (value > 1) text = slider.dataset.left.replace("%s", box.value.trim());
    else text = slider.dataset.right.replace("%s", decimals(1 / value));
    slider.setAttribute("aria-valuetext", text);
  }

  function boxFor(slider) { return document.getElementById(slider.dataset.for); }

  function fromBox(slider) {
    var box = boxFor(slider);
    var value = parse(box.value);
    var placed = inRange(value);  // NaN is not: a value the server will refuse leaves it be
    if (placed) slider.value = String(positionOf(value));
    slider.classList.toggle("unset", !placed);
    describe(slider, box);
  }

  form.querySelectorAll(".judgment-slider").forEach(function (slider) {
    slider.hidden = false;
    fromBox(slider);
    slider.addEventListener("input", function () {
      var box = boxFor(slider);
      box.value = tokenAt(Number(slider.value));
      slider.classList.remove("unset");
      describe(slider, box);
    });
  });

  // Typing in the box, a restored draft or "Use this value" moves the slider.
  form.addEventListener("input", function (event) {
    if (!event.target.classList.contains("judgment-value")) return;
    var slider = form.querySelector('.judgment-slider[data-for="' + CSS.escape(event.target.id) + '"]');
    if (slider) fromBox(slider);
  });
  window.addEventListener("load", function () {
    form.querySelectorAll(".judgment-slider").forEach(fromBox);
  });
})();
