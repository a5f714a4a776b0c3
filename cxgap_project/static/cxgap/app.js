// CX Gap page behaviour. No inline scripts anywhere (the CSP forbids them): pages mark elements
// with data-* attributes and this file wires them up.
(function () {
  "use strict";

  // Progress bars of background jobs: poll until finished, then follow data-done-url or reload.
  function pollJob(container) {
    var url = container.getAttribute("data-job-url");
    var doneUrl = container.getAttribute("data-done-url");
    var bar = container.querySelector(".progress__bar");
    var progress = container.querySelector(".progress");
    var message = container.querySelector(".job-progress__message");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          bar.style.width = job.percent + "%";
          progress.setAttribute("aria-valuenow", job.percent);
          message.textContent = job.message;
          if (job.status === "succeeded") {
            container.setAttribute("data-finished", "succeeded");
            if (doneUrl) { window.location.assign(doneUrl); } else { window.location.reload(); }
          } else if (job.status === "failed") {
            container.setAttribute("data-finished", "failed");
            message.classList.add("field__error");
          } else {
            window.setTimeout(tick, 700);
          }
        })
        .catch(function () { window.setTimeout(tick, 2000); });
    }
    tick();
  }
  document.querySelectorAll(".job-progress[data-job-url]").forEach(pollJob);

  // Confirm destructive actions: <form data-confirm="Really delete?">.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Auto-submit filters: <select data-autosubmit>.
  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });
})();
