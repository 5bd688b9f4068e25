/* The body chart editor (templates/assessments/_body_chart_editor.html), on the staff
   body chart page and the patient's intake: tap (or Enter/Space on) a region of the
   map, choose the feeling and its strength, and it becomes a row of the list. The rows
   are plain selects, so the form works without this script. The map is redrawn from
   the rows whenever they change: what is drawn is what will be sent.
   No inline JS (CSP). */
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";

  function setup(editor) {
    const map = editor.querySelector("[data-body-map]");
    const picker = editor.querySelector("[data-region-picker]");
    const list = editor.querySelector("[data-entry-rows]");
    const count = editor.querySelector("[data-row-count]");
    const status = editor.querySelector("[data-picker-status]");
    const label = picker.querySelector("[data-picked-label]");
    const heading = label.parentNode;
    const add = picker.querySelector("[data-picker-add]");
    const marks = {};
    editor.querySelectorAll("[data-legend-letter]").forEach(function (el) {
      marks[el.getAttribute("data-legend-letter")] = el.textContent.trim();
    });
    let region = null;
    let regionGroup = null;
    let symptom = null;
    let intensity = null;

    const rows = function () { return Array.prototype.slice.call(list.querySelectorAll("[data-entry-row]")); };
    const field = function (row, name) { return row.querySelector("[data-entry='" + name + "']"); };
    const regionLabel = function (code) {
      const g = map.querySelector('.region[data-region="' + code + '"]');
      return g ? g.getAttribute("aria-label") : code;
    };

    // Redraw the map's colours and letters from the rows (removed rows left out).
    const paint = function () {
      const found = {};
      rows().forEach(function (row) {
        const r = field(row, "region").value;
        const s = field(row, "symptom").value;
        if (r && s && !field(row, "remove").checked) { (found[r] = found[r] || []).push(s); }
      });
      map.querySelectorAll(".region").forEach(function (g) {
        const symptoms = found[g.getAttribute("data-region")] || [];
        Array.prototype.slice.call(g.classList).forEach(function (c) {
          if (c.indexOf("sym-") === 0) { g.classList.remove(c); }
        });
        if (symptoms.length) { g.classList.add("sym-" + symptoms[0]); }
        let text = g.querySelector("text.region-mark");
        const letters = symptoms.map(function (s) { return marks[s] || ""; }).join("");
        if (!letters) { if (text) { text.remove(); } return; }
        if (!text) {
          const shape = g.querySelector("rect, ellipse");
          const box = shape.getBBox();
          text = document.createElementNS(SVG, "text");
          text.setAttribute("class", "region-mark");
          text.setAttribute("x", String(box.x + box.width / 2));
          text.setAttribute("y", String(box.y + box.height / 2));
          text.setAttribute("dy", "0.35em");
          g.appendChild(text);
        }
        text.textContent = letters;
      });
    };

    const press = function (selector, button) {
      picker.querySelectorAll(selector).forEach(function (b) {
        b.classList.toggle("active", b === button);
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
    };
    const ready = function () { add.disabled = !(region && symptom && intensity !== null); };
    const close = function () {
      picker.hidden = true;
      map.querySelectorAll(".region.selected").forEach(function (el) { el.classList.remove("selected"); });
    };

    const choose = function (g) {
      close();
      region = g.getAttribute("data-region");
      regionGroup = g;
      map.querySelectorAll('.region[data-region="' + region + '"]').forEach(function (el) { el.classList.add("selected"); });
      label.textContent = g.getAttribute("aria-label");
      symptom = null;
      intensity = null;
      press("[data-pick-symptom]", null);
      press("[data-pick-intensity]", null);
      ready();
      picker.hidden = false;
      heading.focus({ preventScroll: true });
    };

    map.querySelectorAll(".region").forEach(function (g) {
      g.addEventListener("click", function () { choose(g); });
      g.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(g); }
      });
    });
    picker.querySelectorAll("[data-pick-symptom]").forEach(function (button) {
      button.addEventListener("click", function () {
        symptom = button.getAttribute("data-pick-symptom");
        press("[data-pick-symptom]", button);
        ready();
      });
    });
    picker.querySelectorAll("[data-pick-intensity]").forEach(function (button) {
      button.addEventListener("click", function () {
        intensity = button.getAttribute("data-pick-intensity");
        press("[data-pick-intensity]", button);
        ready();
      });
    });
    picker.querySelector("[data-picker-close]").addEventListener("click", function () {
      close();
      if (regionGroup) { regionGroup.focus(); }
    });
    picker.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); if (regionGroup) { regionGroup.focus(); } }
    });

    // A new row: a copy of the last one, renumbered and emptied.
    const newRow = function () {
      const all = rows();
      const last = all[all.length - 1];
      const row = last.cloneNode(true);
      const index = all.length;
      row.classList.remove("border-danger");
      row.querySelectorAll(".text-danger").forEach(function (el) { el.remove(); });
      row.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace(/_\d+$/, "_" + index);
        el.id = "id_" + el.name;
        el.classList.remove("is-invalid");
        if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
      });
      row.querySelectorAll("label[for]").forEach(function (l) {
        l.htmlFor = l.htmlFor.replace(/_\d+$/, "_" + index);
        l.innerHTML = l.innerHTML.replace(/\d+(?=(<\/span>)?$)/, String(index + 1));
      });
      list.appendChild(row);
      count.value = String(index + 1);
      return row;
    };

    add.addEventListener("click", function () {
      let target = null;
      rows().forEach(function (row) {
        const empty = !field(row, "region").value && !field(row, "symptom").value;
        if (!target && (empty || field(row, "remove").checked)) { target = row; }
      });
      if (!target) { target = newRow(); }
      field(target, "region").value = region;
      field(target, "symptom").value = symptom;
      field(target, "intensity").value = intensity;
      field(target, "remove").checked = false;
      const place = rows().indexOf(target) + 1;
      status.textContent = "Added as place " + place + ": " + regionLabel(region) + ", " +
        symptom + ", " + intensity + " of 10.";
      paint();
      close();
      if (regionGroup) { regionGroup.focus({ preventScroll: true }); }
    });

    list.addEventListener("change", paint);
    paint();
  }

  document.querySelectorAll("[data-body-chart-editor]").forEach(setup);
})();
