// The self-assessment form saves each answer as soon as it changes (PUT to the JSON API), so a
// reload or a second sitting resumes where the respondent stopped. Without JavaScript the form posts.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.fetch) { return; }
  form.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.name || field.value === "") { return; }
    var answers = {};
    answers[field.name] = field.value;
    status.textContent = form.getAttribute("data-saving");
    status.setAttribute("data-state", "saving");
    fetch(form.getAttribute("data-api"), {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ answers: answers })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || response.status); }
        return body;
      });
    }).then(function (body) {
      status.textContent = form.getAttribute("data-saved")
        .replace("{answered}", body.answered).replace("{total}", body.questions);
      status.setAttribute("data-state", "saved");
    }).catch(function (error) {
      status.textContent = form.getAttribute("data-failed") + " " + error.message;
      status.setAttribute("data-state", "error");
    });
  });
})();
