/* Assessment and body-chart pages (tablet): timer, running totals, foot sites, body map.
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

  // Body chart: tap a region, pick symptom and intensity, add as the next empty row.
  const picker = document.getElementById("region-picker");
  const map = document.getElementById("chart-map");
  if (picker && map) {
    let region = null;
    let symptom = null;
    const label = document.getElementById("picked-region-label");
    const intensity = document.getElementById("picked-intensity");
    const intensityValue = document.getElementById("picked-intensity-value");
    const add = document.getElementById("add-entry");
    const ready = function () { add.disabled = !(region && symptom); };
    const choose = function (g) {
      map.querySelectorAll(".region.selected").forEach(function (el) { el.classList.remove("selected"); });
      map.querySelectorAll('.region[data-region="' + g.getAttribute("data-region") + '"]').forEach(function (el) { el.classList.add("selected"); });
      region = g.getAttribute("data-region");
      label.textContent = g.getAttribute("aria-label");
      picker.hidden = false;
      ready();
    };
    map.querySelectorAll(".region").forEach(function (g) {
      g.addEventListener("click", function () { choose(g); });
      g.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(g); }
      });
    });
    picker.querySelectorAll("[data-pick-symptom]").forEach(function (button) {
      button.addEventListener("click", function () {
        picker.querySelectorAll("[data-pick-symptom]").forEach(function (b) { b.classList.remove("active"); b.setAttribute("aria-pressed", "false"); });
        button.classList.add("active");
        button.setAttribute("aria-pressed", "true");
        symptom = button.getAttribute("data-pick-symptom");
        ready();
      });
    });
    intensity.addEventListener("input", function () { intensityValue.textContent = intensity.value; });
    add.addEventListener("click", function () {
      const rows = document.querySelectorAll("[data-entry-row]");
      let target = null;
      rows.forEach(function (row) {
        if (!target && !row.querySelector("select[name^='region_']").value) { target = row; }
      });
      if (!target) {
        const last = rows[rows.length - 1];
        target = last.cloneNode(true);
        const index = rows.length;
        target.querySelectorAll("[name]").forEach(function (el) {
          el.name = el.name.replace(/_\d+$/, "_" + index);
          el.id = el.name;
          if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
        });
        target.querySelectorAll("label[for]").forEach(function (l) { l.htmlFor = l.htmlFor.replace(/_\d+$/, "_" + index); });
        last.parentNode.appendChild(target);
        document.getElementById("row-count").value = String(index + 1);
      }
      target.querySelector("select[name^='region_']").value = region;
      target.querySelector("select[name^='symptom_']").value = symptom;
      target.querySelector("input[name^='intensity_']").value = intensity.value;
      map.querySelectorAll('.region[data-region="' + region + '"]').forEach(function (g) {
        g.classList.add("sym-" + symptom);
      });
    });
  }

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
