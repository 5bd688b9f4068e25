"""The printed table, bench/results.json, and cProfile output for one case."""

from __future__ import annotations

import cProfile
import io
import json
import pstats
from pathlib import Path

from bench.datagen import Dataset
from bench.harness import Case, Result


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[Result], *, data: Dataset, repeat: int, vendor: str) -> None:
    print()
    print(
        f"{vendor}: {data.patients:,} patients, {data.sessions:,} sessions; "
        f"median of {repeat} timed run(s) after a warm-up"
    )
    header = (
        f"{'name':<22} {'app_s':>10} {'lower_s':>10} {'ratio':>7} {'target':>6} "
        f"{'ok':>4} {'queries':>7} {'n':>8} {'rows/s':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if r.skipped or r.error:
            print(f"{r.name:<22} {'SKIPPED' if r.skipped else 'ERROR':>10}  {r.skipped or r.error}")
            continue
        ok = "yes" if r.ok else "NO"
        print(
            f"{r.name:<22} {_fmt(r.app_s, '10.4f')} {_fmt(r.lower_bound_s, '10.4f')} "
            f"{_fmt(r.ratio, '7.2f')} {r.target:>6.1f} {ok:>4} {_fmt(r.queries, '7d')} "
            f"{r.n:>8,} {_fmt(r.rows_per_s, '10,.0f')}"
        )
    print()


def write_results(results: list[Result], path: Path, *, data: Dataset, vendor: str) -> None:
    scale = {"database": vendor, "patients": data.patients, "sessions": data.sessions}
    payload = {r.name: {**r.as_json(), "scale": scale} for r in results}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")


def profile(case: Case, data: Dataset, *, top: int = 35) -> None:
    """Run the app path of one case under cProfile and print where the time goes."""
    reason = case.unavailable()
    if reason:
        print(f"{case.name}: not available: {reason}")
        return
    case.setup(data)
    case.reset(data)
    case.app(data)  # warm-up
    case.reset(data)
    profiler = cProfile.Profile()
    profiler.enable()
    case.app(data)
    profiler.disable()
    case.reset(data)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())
