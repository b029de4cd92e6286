// Autosave for the expert's forms. Everything works without this file (plain form posts);
// with it, every change is saved as a draft within a second, the pairwise consistency panel
// is redrawn from the server's answer (computed by the engine), and answers not yet saved are
// kept in localStorage so neither a reload nor a dropped connection loses them.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form || !form.dataset.autosave || form.querySelector("fieldset[disabled]")) return;

  var status = form.querySelector(".save-status");
  var summary = form.querySelector(".cr-summary");
  var panel = document.getElementById("consistency");
  var storageKey = "ahpanel:" + form.dataset.storageKey;
  var timer = null;
  var retry = null;

  function say(text) { if (status) status.textContent = text; }

  function fields() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function remember() {
    var values = {};
    fields().forEach(function (value, name) { values[name] = value; });
    var entry = { time: Date.now() / 1000, values: values };
    try { localStorage.setItem(storageKey, JSON.stringify(entry)); } catch (e) { /* full or private mode */ }
  }

  function forget() { try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ } }

  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    // Only answers newer than what the server holds: another device may have saved since.
    if (!saved || !saved.values || saved.time <= Number(form.dataset.updated || 0)) {
      forget();
      return false;
    }
    saved = saved.values;
    Object.keys(saved).forEach(function (name) {
      if (name === "csrfmiddlewaretoken") return;
      var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      inputs.forEach(function (input) {
        if (input.type === "radio") input.checked = input.value === saved[name];
        else input.value = saved[name];
      });
    });
    return true;
  }

  function save() {
    clearTimeout(retry);
    say(form.dataset.msgSaving);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: fields(),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { say(form.dataset.msgInvalid); return; }
      forget();
      say(form.dataset.msgSaved + " " + new Date().toLocaleTimeString());
      if (panel && result.body.html) redrawPanel(result.body.html);
      if (result.body.flags) redrawFlags(result.body.flags);
      // The one short announcement of a change of consistency ("CR 0.123, inconsistent").
      if (summary && typeof result.body.summary === "string") replaceText(summary, result.body.summary);
      // Whether the submitted answers still count unchanged, or a draft now sits on top.
      var state = document.getElementById("ballot-state");
      if (state && typeof result.body.state === "string") replaceHtml(state, result.body.state);
    }).catch(function () {
      say(form.dataset.msgOffline);
      retry = setTimeout(save, 5000);
    });
  }

  // Replace only what changed, so that nothing already read out is announced again and the
  // keyboard focus is not thrown away with a replaced element.
  function replaceText(element, text) { if (element.textContent !== text) element.textContent = text; }

  function replaceHtml(element, html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    if (element.innerHTML.trim() === fresh.innerHTML.trim()) return false;
    element.innerHTML = html;
    return true;
  }

  function redrawPanel(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    fresh.querySelectorAll("[data-part]").forEach(function (part) {
      var current = panel.querySelector('[data-part="' + part.dataset.part + '"]');
      if (current) replaceHtml(current, part.innerHTML);
    });
  }

  // The judgments the engine says to revise are marked in the form itself, worst first.
  function redrawFlags(flags) {
    form.querySelectorAll("[data-flag-for]").forEach(function (box) {
      var key = box.dataset.flagFor;
      var html = flags[key] || "";
      var pair = document.getElementById("pair-" + key);
      var hadFocus = box.contains(document.activeElement);
      if (replaceHtml(box, html) && hadFocus) focusGroup(key);
      if (!pair) return;
      var flagged = html.trim() !== "";
      pair.classList.toggle("flagged", flagged);
      // Entering the pair's group then also reads out why it is marked.
      if (flagged) pair.setAttribute("aria-describedby", "flag-text-" + key);
      else pair.removeAttribute("aria-describedby");
    });
  }

  function radios(key) { return form.querySelectorAll('input[type=radio][name="pair-' + CSS.escape(key) + '"]'); }

  function focusGroup(key) {
    var group = radios(key);
    var target = Array.prototype.find.call(group, function (input) { return input.checked; }) ||
      Array.prototype.find.call(group, function (input) { return input.value === "1"; });
    if (target) target.focus();
  }

  // An unanswered pair is entered at "equally important (1)", the middle of the scale, not at
  // its first box ("9"): only that radio is in the tab order until one is chosen; the arrow keys
  // then move along the whole scale as usual.
  function enterAtEqual(group) {
    var answered = Array.prototype.some.call(group, function (input) { return input.checked; });
    group.forEach(function (input) {
      if (!answered && input.value !== "1") input.setAttribute("tabindex", "-1");
      else input.removeAttribute("tabindex");
    });
  }

  function enterAllAtEqual() {
    form.querySelectorAll("fieldset.pair").forEach(function (pair) {
      enterAtEqual(pair.querySelectorAll(".scale input[type=radio]"));
    });
  }

  function changed() {
    remember();
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  }

  // Submitting posts every answer anyway: no autosave may follow it.
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    clearTimeout(retry);
    form.removeEventListener("change", changed);
  });

  form.addEventListener("change", changed);
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio" && event.target.name.indexOf("pair-") === 0) {
      enterAtEqual(radios(event.target.name.slice(5)));
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") changed();
  });

  // "Use this value" beside a flagged pair sets the suggested judgment; the focus stays on that
  // pair's scale (on the value just set), not back at the top of the form.
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".use-suggestion");
    if (!button) return;
    var key = button.dataset.key;
    var input = Array.prototype.find.call(radios(key), function (radio) {
      return radio.value === button.dataset.token;
    });
    if (input) {
      input.checked = true;
      enterAtEqual(radios(key));
      input.focus();
      changed();
      return;
    }
    // The continuous scale has a number box instead (its slider follows the box's input).
    var box = form.querySelector('input.judgment-value[name="pair-' + CSS.escape(key) + '"]');
    if (box) {
      box.value = button.dataset.token;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.focus();
    }
  });

  if (restore()) {
    say(form.dataset.msgRestored);
    save();
  }
  enterAllAtEqual();
})();
