// The self-assessment form saves each answer as soon as it changes (PUT to the JSON API), so a
// reload or a second sitting resumes where the respondent stopped. Saves go one at a time: answers
// given while a save is in flight wait and leave together (SQLite takes one writer at a time).
// Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.fetch) { return; }
  var pending = {};
  var busy = false;
  // The session's CSRF token, from the form's hidden field: a write made with the cookie must carry it.
  var token = form.querySelector('input[name="csrf_token"]');
  var csrf = token ? token.value : "";

  function show(state, text) {
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function flush() {
    var keys = Object.keys(pending);
    if (busy || keys.length === 0) { return; }
    var answers = pending;
    pending = {};
    busy = true;
    show("saving", form.getAttribute("data-saving"));
    fetch(form.getAttribute("data-api"), {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      credentials: "same-origin",
      body: JSON.stringify({ answers: answers })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || String(response.status)); }
        return body;
      });
    }).then(function (body) {
      busy = false;
      if (Object.keys(pending).length) { flush(); return; }
      show("saved", form.getAttribute("data-saved")
        .replace("{answered}", body.answered).replace("{total}", body.questions));
    }).catch(function (error) {
      busy = false;
      Object.keys(answers).forEach(function (key) {
        if (!(key in pending)) { pending[key] = answers[key]; }  // kept for the next change
      });
      show("error", form.getAttribute("data-failed") + " " + error.message);
    });
  }

  form.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.name || field.name === "csrf_token" || field.value === "") { return; }
    pending[field.name] = field.value;
    flush();
  });
})();
