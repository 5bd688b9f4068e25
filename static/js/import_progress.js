// The import job's page (R31): poll the run's progress, then show its report.
(function () {
  "use strict";
  const section = document.getElementById("import-running");
  if (!section) return;
  const bar = document.getElementById("import-progress");
  const text = document.getElementById("import-progress-text");
  const url = section.dataset.progressUrl;

  function show(state) {
    if (state.finished) {
      window.location.reload();
      return true;
    }
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
      text.textContent = state.done + " of " + state.total + " rows checked.";
    } else {
      text.textContent = state.status_display + "…";
    }
    return false;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((state) => {
        if (!state || !show(state)) window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  }
  window.setTimeout(poll, 500);
})();
