// Respondent pages: progress bar width and a live total for 100-point allocations. The pages work
// without this file; it only adds feedback.
(function () {
  "use strict";
  document.querySelectorAll(".respond-progress__bar[data-percent]").forEach(function (bar) {
    bar.style.width = bar.getAttribute("data-percent") + "%";
  });
  document.querySelectorAll("[data-allocation]").forEach(function (block) {
    var inputs = block.querySelectorAll("input[type=number]");
    var output = block.querySelector("[data-allocation-total]");
    var total = block.querySelector(".respond-allocation__total");
    function update() {
      var sum = 0;
      inputs.forEach(function (input) { sum += parseInt(input.value || "0", 10) || 0; });
      output.textContent = String(sum);
      total.setAttribute("data-state", sum === 100 ? "ok" : "bad");
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });
  var errors = document.getElementById("respond-errors");
  if (errors) { errors.focus(); }
})();
