// The clinic dashboard's charts, drawn from the same JSON as its tables.
(function () {
  "use strict";
  const { COLORS, readJson, chartOrNull } = window.ReportsCharts;
  const report = readJson("report-data");
  if (!report) {
    return;
  }
  const pct = { min: 0, max: 100, title: { display: true, text: "% of patients" } };

  const causes = report.by_cause;
  chartOrNull("chart-cause", {
    type: "bar",
    data: {
      labels: causes.map((r) => `${r.label} (n=${r.patients})`),
      datasets: [
        {
          label: "Pain responders %",
          data: causes.map((r) => r.pain_responder_pct),
          backgroundColor: COLORS.responder,
          yAxisID: "y",
        },
        {
          label: "Mobility responders %",
          data: causes.map((r) => r.mobility_responder_pct),
          backgroundColor: COLORS.mobilityResponder,
          yAxisID: "y",
        },
      ],
    },
    options: {
      scales: { y: pct },
    },
  });

  const kinds = report.by_session_kind;
  chartOrNull("chart-kind", {
    type: "bar",
    data: {
      labels: kinds.map((r) => `${r.label.replace(/ \(.*\)/, "")} (n=${r.sessions})`),
      datasets: [
        {
          label: "Mean immediate relief (points)",
          data: kinds.map((r) => r.mean_immediate_relief),
          backgroundColor: COLORS.relief,
        },
        {
          label: "…of which after the massage part",
          data: kinds.map((r) =>
            r.mean_relief_after_massage === undefined ? null : r.mean_relief_after_massage,
          ),
          backgroundColor: COLORS.reliefLight,
        },
      ],
    },
    options: {
      scales: { y: { beginAtZero: true, title: { display: true, text: "points on 0–10" } } },
    },
  });

  const weeks = report.weekly_trend;
  chartOrNull("chart-trend", {
    type: "line",
    data: {
      labels: weeks.map((w) => w.week),
      datasets: [
        {
          label: "Mean pain before session",
          data: weeks.map((w) => w.mean_pain_before),
          borderColor: COLORS.pain,
          backgroundColor: COLORS.pain,
          tension: 0.2,
        },
        {
          label: "Mean pain after session",
          data: weeks.map((w) => w.mean_pain_after),
          borderColor: COLORS.painAfter,
          backgroundColor: COLORS.painAfter,
          borderDash: [4, 4],
          tension: 0.2,
        },
        {
          label: "Mean mobility",
          data: weeks.map((w) => w.mean_mobility),
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
