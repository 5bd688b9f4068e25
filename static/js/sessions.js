/* Sessions pages: live mobility value, adverse-event note toggle, confirmations.
   No inline JS anywhere (CSP). */
(function () {
  "use strict";

  const slider = document.getElementById("id_mobility_score");
  const output = document.getElementById("mobility-value");
  if (slider && output) {
    const show = function () {
      output.textContent = Number(slider.value).toFixed(1);
    };
    slider.addEventListener("input", show);
    show();
  }

  const adverse = document.getElementById("id_adverse_event");
  const note = document.getElementById("adverse-note");
  if (adverse && note) {
    const toggle = function () {
      note.classList.toggle("d-none", !adverse.checked && !note.querySelector("textarea").value);
    };
    adverse.addEventListener("change", toggle);
    toggle();
  }

  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
