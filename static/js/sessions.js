/* Sessions pages: live mobility value, adverse-event note toggle, confirmations.
   No inline JS anywhere (CSP). */
(function () {
  "use strict";

  // Amended R11: the slider has no name; moving it writes the score field.
  // Untouched, the field stays empty and the server answers with a field error.
  const number = document.getElementById("id_mobility_score");
  const slider = document.getElementById("mobility-slider");
  const output = document.getElementById("mobility-value");
  if (number && output) {
    const show = function () {
      output.textContent = number.value === "" ? "not set" : Number(number.value).toFixed(1);
    };
    number.addEventListener("input", function () {
      if (slider && number.value !== "") { slider.value = number.value; }
      show();
    });
    if (slider) {
      slider.addEventListener("input", function () {
        number.value = Number(slider.value).toFixed(1);
        show();
      });
    }
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
