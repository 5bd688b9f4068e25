"""Every main page, for every role: axe-core finds no serious or critical WCAG 2.1
A/AA violation, and nothing scrolls sideways at 390, 768 or 1280 px.

The pages walked are those of ``tests/browser/pages.py``; add a page there.
``SCREENSHOT_DIR=/some/dir`` keeps a PNG of every page at every width.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import ROLES, build_page_world, pages_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 768, 390)
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
SHOTS = os.environ.get("SCREENSHOT_DIR")

# The elements sticking out past the right edge (deepest first), to name the culprit.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !el.closest('.table-responsive, .overflow-auto')
        && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1)) {
      const cls = typeof el.className === 'string' ? el.className.trim() : '';
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (cls ? '.' + cls.split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
    }
    if (out.length >= 5) break;
  }
  if (!out.length) {
    // Nothing visibly sticks out (an absolutely positioned element escaping a scroll
    // box, say): name the deepest element whose removal ends the sideways scroll.
    for (const el of document.querySelectorAll('body *')) {
      const old = el.style.display;
      el.style.display = 'none';
      const fits = document.documentElement.scrollWidth <= width;
      el.style.display = old;
      if (fits) {
        const cls = typeof el.className === 'string' ? el.className.trim() : '';
        out[0] = 'culprit ' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
          + (cls ? '.' + cls.split(/\\s+/).join('.') : '');
      }
    }
  }
  return [document.documentElement.scrollWidth + 'px wide', ...out];
}"""

# Fields too narrow to show their value (a date cut to "11/3", a number to one digit).
CRAMPED = """() => {
  const out = [];
  const min = {date: 150, 'datetime-local': 200, time: 100, number: 60};
  for (const el of document.querySelectorAll('input, select')) {
    const need = el.tagName === 'SELECT' ? 100 : min[el.type];
    const w = el.getBoundingClientRect().width;
    if (need && w && w < need) out.push((el.name || el.id) + ' ' + Math.round(w) + 'px');
  }
  return out;
}"""

SETTLE = "() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))"

_axe = Axe()


def axe_problems(page) -> list[str]:
    """Serious and critical axe violations of the page loaded in ``page``."""
    results = _axe.run(page, options=AXE_OPTIONS)
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"][:3]:
            problems.append(
                f"{violation['impact']} {violation['id']}: {node['target']} "
                f"{node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return problems


def overflow_problems(page, label: str) -> list[str]:
    """Horizontal scroll at each width (the page is re-laid out, not reloaded)."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # Let resize observers (Chart.js) lay out again before measuring.
        page.evaluate(SETTLE)
        culprits = page.evaluate(OVERFLOW)
        if culprits:
            problems.append(f"{width}px: scrolls sideways {culprits}")
        cramped = page.evaluate(CRAMPED)
        if cramped:
            problems.append(f"{width}px: fields too narrow {cramped}")
        if SHOTS:
            name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "root"
            page.screenshot(path=Path(SHOTS) / f"{name}_{width}.png", full_page=True)
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_fits_every_width(live_server, page, login, role):
    world = build_page_world()
    login(world.user(role))
    axe_found: list[str] = []
    overflow_found: list[str] = []
    for path in pages_for(world, role):
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        if response.status != 200:
            axe_found.append(f"{path}: HTTP {response.status}")
            continue
        axe_found += [f"{path}: {p}" for p in axe_problems(page)]
        overflow_found += [f"{path}: {p}" for p in overflow_problems(page, f"{role}{path}")]
    # One line per distinct problem, with the pages it is on (the navbar repeats everywhere).
    where: dict[str, list[str]] = {}
    for line in axe_found:
        path, problem = line.split(": ", 1)
        where.setdefault(problem, []).append(path)
    axe_lines = [f"{problem}  on {', '.join(paths)}" for problem, paths in where.items()]
    assert not axe_lines + overflow_found, "\n".join(
        ["axe (serious/critical):", *axe_lines, "horizontal scroll:", *overflow_found]
    )
