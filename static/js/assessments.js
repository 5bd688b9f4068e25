/* Assessment and body-chart pages (tablet): timer, running totals, foot sites
   (the body chart's map is static/js/body_map.js).
   No inline JS (CSP); everything works without JS too (typed values, selects). */
(function () {
  "use strict";

  // TUG / 10-metre walk: start/stop timer that fills the seconds (one decimal).
  const timerButton = document.getElementById("timer-button");
  const seconds = document.getElementById("id_seconds");
  const display = document.getElementById("timer-display");
  if (timerButton && seconds) {
    let started = null;
    let tick = null;
    const show = function (value) { display.textContent = value.toFixed(1) + " s"; };
    timerButton.addEventListener("click", function () {
      if (started === null) {
        started = performance.now();
        timerButton.textContent = "Stop timer";
        timerButton.classList.replace("btn-success", "btn-danger");
        tick = window.setInterval(function () { show((performance.now() - started) / 1000); }, 100);
      } else {
        const elapsed = Math.max(0.1, (performance.now() - started) / 1000);
        window.clearInterval(tick);
        started = null;
        seconds.value = elapsed.toFixed(1);
        show(elapsed);
        timerButton.textContent = "Start timer";
        timerButton.classList.replace("btn-danger", "btn-success");
      }
    });
  }

  // Berg: running total of the 14 items.
  const bergTotal = document.getElementById("berg-total");
  if (bergTotal) {
    const sum = function () {
      let total = 0;
      document.querySelectorAll("[data-berg]:checked").forEach(function (el) { total += Number(el.value); });
      bergTotal.textContent = String(total);
    };
    document.querySelectorAll("[data-berg]").forEach(function (el) { el.addEventListener("change", sum); });
    sum();
  }

  // DN4: count of yes.
  const dn4Total = document.getElementById("dn4-total");
  if (dn4Total) {
    const count = function () { dn4Total.textContent = String(document.querySelectorAll("[data-dn4]:checked").length); };
    document.querySelectorAll("[data-dn4]").forEach(function (el) { el.addEventListener("change", count); });
    count();
  }

  // Monofilament: tapping a site on the drawing toggles its switch.
  document.querySelectorAll(".foot-svg .site").forEach(function (site) {
    const box = document.getElementById(site.getAttribute("data-site"));
    if (!box) { return; }
    const paint = function () { site.classList.toggle("not-felt", !box.checked); };
    site.addEventListener("click", function () { box.checked = !box.checked; paint(); });
    box.addEventListener("change", paint);
    paint();
  });

  // Massage editor: numb regions ticked with firm pressure / deep tissue -> say so at once.
  document.querySelectorAll("[data-massage-row]").forEach(function (row) {
    const note = row.querySelector("[data-precaution-note]");
    if (!note) { return; }
    const check = function () {
      const technique = row.querySelector("select[name$='-technique']");
      const pressure = row.querySelector("select[name$='-pressure']");
      const risky = (technique && technique.value === "deep_tissue") || (pressure && pressure.value === "firm");
      const numb = Array.prototype.some.call(row.querySelectorAll("input[data-numb]"), function (box) { return box.checked; });
      note.hidden = !(risky && numb);
    };
    row.addEventListener("change", check);
    check();
  });
})();
