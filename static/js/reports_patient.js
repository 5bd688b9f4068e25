// The patient progress report's trend chart: pain (before/after) and mobility per session.
(function () {
  "use strict";
  const { COLORS, readJson, chartOrNull } = window.ReportsCharts;
  const data = readJson("progress-data");
  if (!data || !data.labels.length) {
    return;
  }
  chartOrNull("chart-progress", {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: "Pain before session",
          data: data.pain_before,
          borderColor: COLORS.pain,
          backgroundColor: COLORS.pain,
          tension: 0.2,
        },
        {
          label: "Pain after session",
          data: data.pain_after,
          borderColor: COLORS.painAfter,
          backgroundColor: COLORS.painAfter,
          borderDash: [4, 4],
          tension: 0.2,
        },
        {
          label: "Mobility",
          data: data.mobility,
          borderColor: COLORS.mobility,
          backgroundColor: COLORS.mobility,
          tension: 0.2,
        },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: { y: { min: 0, max: 10, title: { display: true, text: "0–10" } } },
    },
  });
})();
