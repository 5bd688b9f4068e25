// Plan pages: print button, confirmations, exercise picker narrowed by category.
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("[data-plan-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-plan-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // Each exercise row: the category select hides the other categories' optgroups.
  document.querySelectorAll(".rx-row").forEach(function (row) {
    var category = row.querySelector("[data-category-select]");
    var exercise = row.querySelector("[data-exercise-select]");
    if (!category || !exercise) { return; }
    function apply() {
      var label = category.value ? category.options[category.selectedIndex].text : "";
      exercise.querySelectorAll("optgroup").forEach(function (group) {
        var show = !label || group.label === label;
        // Hidden, not disabled: the current choice stays selected and submitted.
        group.hidden = !show;
      });
    }
    category.addEventListener("change", apply);
    apply();
  });
})();
