// Campaign pages: live preview of the email copy, adding stages, and dashboard numbers that update
// while a campaign runs. Every page works without this file.
(function () {
  "use strict";

  // Live preview: POST the copy to the server, which renders it for a sample respondent.
  var form = document.querySelector("form[data-preview-url]");
  if (form) {
    var subject = form.querySelector("[name=invitation_subject]");
    var body = form.querySelector("[name=invitation_body]");
    var timer = null;
    var refresh = function () {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("kind", "invitation");
      data.append("subject", subject.value);
      data.append("body", body.value);
      if (form.dataset.campaign) { data.append("campaign", form.dataset.campaign); }
      fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (preview) {
          var errors = form.querySelector("[data-preview-errors]");
          var messages = [];
          Object.keys(preview.errors || {}).forEach(function (key) { messages = messages.concat(preview.errors[key]); });
          errors.textContent = messages.join(" ");
          if (!messages.length) {
            form.querySelector("[data-preview-subject]").textContent = preview.subject;
            // The server escaped every part of this HTML (surveys.emails.copy_as_html).
            form.querySelector("[data-preview-body]").innerHTML = preview.html;
          }
        })
        .catch(function () {});
    };
    [subject, body].forEach(function (field) {
      if (!field) { return; }
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 400);
      });
    });
    if (subject && body) { refresh(); }
    var hint = form.querySelector("[data-preview-hint]");
    if (hint) { hint.hidden = true; }
  }

  // Stages: "Add a stage" clones the empty form of the formset.
  var add = document.querySelector("[data-add-stage]");
  var template = document.getElementById("stage-template");
  if (add && template) {
    var total = document.querySelector("[name=stages-TOTAL_FORMS]");
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      document.querySelector("[data-stages]").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }

  // Dashboard: poll the progress endpoint every few seconds while the campaign runs.
  var dashboard = document.querySelector("[data-progress-url]");
  if (dashboard) {
    var update = function () {
      fetch(dashboard.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (progress) {
          Object.keys(progress.funnel).forEach(function (key) {
            var cell = dashboard.querySelector('[data-funnel="' + key + '"]');
            if (cell) { cell.textContent = progress.funnel[key]; }
          });
          Object.keys(progress.states).forEach(function (key) {
            var cell = dashboard.querySelector('[data-state="' + key + '"]');
            if (cell) { cell.textContent = progress.states[key]; }
          });
          progress.stages.forEach(function (stage) {
            var sent = dashboard.querySelector('[data-stage-sent="' + stage.id + '"]');
            var done = dashboard.querySelector('[data-stage-completed="' + stage.id + '"]');
            var rate = dashboard.querySelector('[data-stage-rate="' + stage.id + '"]');
            if (sent) { sent.textContent = stage.sent; }
            if (done) { done.textContent = stage.completed; }
            if (rate) { rate.textContent = stage.response_rate === null ? "—" : stage.response_rate + " %"; }
          });
          var overall = dashboard.querySelector("[data-response-rate]");
          if (overall) { overall.textContent = progress.response_rate === null ? "—" : progress.response_rate + " %"; }
          if (progress.status === "running") { window.setTimeout(update, 5000); }
        })
        .catch(function () { window.setTimeout(update, 15000); });
    };
    window.setTimeout(update, 5000);
  }
})();
