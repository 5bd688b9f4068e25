// Site-wide behaviour, loaded on every page (no inline scripts: CSP).
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});
document.querySelectorAll("[data-print]").forEach((btn) =>
  btn.addEventListener("click", () => window.print()),
);
