/* Patient progress chart (R14): pain before/after (0-10) and mobility (0-10). */
(function () {
  "use strict";
  const canvas = document.getElementById("progress-chart");
  const source = document.getElementById("progress-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: "Pain before session",
          data: data.pain_before,
          borderColor: "#dc3545",
          backgroundColor: "#dc3545",
          tension: 0.2,
        },
        {
          label: "Pain after session",
          data: data.pain_after,
          borderColor: "#fd7e14",
          backgroundColor: "#fd7e14",
          borderDash: [6, 4],
          tension: 0.2,
        },
        {
          label: "Mobility (PSFS)",
          data: data.mobility,
          borderColor: "#0d6efd",
          backgroundColor: "#0d6efd",
          tension: 0.2,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { min: 0, max: 10, title: { display: true, text: "Score (0-10)" } },
      },
    },
  });
})();
