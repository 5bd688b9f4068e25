// Shared Chart.js helpers of the report pages (no inline scripts: CSP).
(function () {
  "use strict";

  const COLORS = {
    pain: "#dc3545",
    painAfter: "#fd7e14",
    mobility: "#0d6efd",
    relief: "#198754",
    reliefLight: "#9fd8b8",
    responder: "#6f42c1",
    mobilityResponder: "#0dcaf0",
  };

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function chartOrNull(canvasId, config) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || typeof window.Chart === "undefined") {
      return null;
    }
    // Printing: charts are redrawn at paper size and without animation.
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false },
      config.options || {},
    );
    const chart = new window.Chart(canvas, config);
    canvas.dataset.chartReady = "true";
    return chart;
  }

  window.addEventListener("beforeprint", () => {
    if (window.Chart) {
      Object.values(window.Chart.instances).forEach((c) => c.resize());
    }
  });

  window.ReportsCharts = { COLORS, readJson, chartOrNull };
})();
