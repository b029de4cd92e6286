// Autosave for the expert's forms. Everything works without this file (plain form posts);
// with it, every change is saved as a draft within a second, the pairwise consistency panel
// is redrawn from the server's answer (computed by the engine), and answers not yet saved are
// kept in localStorage so neither a reload nor a dropped connection loses them.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form || !form.dataset.autosave || form.querySelector("fieldset[disabled]")) return;

  var status = form.querySelector(".save-status");
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
      if (panel && result.body.html) panel.innerHTML = result.body.html;
      // Whether the submitted answers still count unchanged, or a draft now sits on top.
      var state = document.getElementById("ballot-state");
      if (state && typeof result.body.state === "string") state.innerHTML = result.body.state;
    }).catch(function () {
      say(form.dataset.msgOffline);
      retry = setTimeout(save, 5000);
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
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") changed();
  });

  // "Use this value" in the consistency panel sets the suggested judgment.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".use-suggestion");
    if (!button) return;
    var input = form.querySelector('input[name="pair-' + button.dataset.key + '"][value="' + button.dataset.token + '"]');
    if (input) {
      input.checked = true;
      input.focus();
      changed();
    }
  });

  if (restore()) {
    say(form.dataset.msgRestored);
    save();
  }
})();
