// Questionnaire builder: show only the settings of the chosen question kind. Without this script
// every setting stays visible (each says which kinds use it), so the form still works.
(function () {
  "use strict";

  var kind = document.querySelector(".question-form select[name='kind']");
  if (!kind) { return; }
  var groups = document.querySelectorAll(".question-form [data-kinds]");

  function showSettingsOf(value) {
    groups.forEach(function (group) {
      var kinds = group.getAttribute("data-kinds").split(" ");
      group.hidden = kinds.indexOf(value) === -1;
    });
  }

  kind.addEventListener("change", function () { showSettingsOf(kind.value); });
  showSettingsOf(kind.value);

  // A touchpoint implies its stage: keep the stage choice in step when a touchpoint is picked.
  var stage = document.querySelector(".question-form select[name='stage']");
  var touchpoint = document.querySelector(".question-form select[name='touchpoint']");
  if (stage && touchpoint) {
    touchpoint.addEventListener("change", function () {
      var option = touchpoint.options[touchpoint.selectedIndex];
      var stageId = option ? option.getAttribute("data-stage") : null;
      if (stageId) { stage.value = stageId; }
    });
  }
})();
