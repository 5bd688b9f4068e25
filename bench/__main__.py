"""`python -m bench` (`make bench`): app paths against raw-SQL lower bounds.

Environment: BENCH_PATIENTS (default 20,000), BENCH_SESSIONS (200,000),
BENCH_REPEAT (timed repetitions, default 5), BENCH_COMPLETIONS (sessions
completed through the API, default 1,000 or a tenth of the patients),
BENCH_LOCATIONS (locations in mixed time zones, default 20),
DATABASE_URL / BENCH_DATABASE_URL (see bench/database.py: the benchmark
database is WIPED), BENCH_BROKER_URL (default memory://).

Exit status: 0 when every ratio is within its target (or with --smoke /
--no-fail, whatever the ratios), 1 when a target is missed, 2 when a case
fails or its app path and lower bound disagree.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench import database

RESULTS = Path(__file__).resolve().parent / "results.json"
SMOKE_RESULTS = database.BASE_DIR / "var" / "bench-smoke-results.json"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny run: check, print, exit 0")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this case")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of the previous run at this scale"
    )
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even if a target is missed")
    parser.add_argument("--profile", metavar="NAME", help="cProfile the app path of one case")
    parser.add_argument("--output", type=Path, help="where to write the results JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    patients = _env_int("BENCH_PATIENTS", 20_000)
    sessions = _env_int("BENCH_SESSIONS", 200_000)
    repeat = max(1, _env_int("BENCH_REPEAT", 5))
    completions = _env_int("BENCH_COMPLETIONS", min(1000, max(10, patients // 10)))
    locations = max(1, _env_int("BENCH_LOCATIONS", 20))
    output = args.output or (SMOKE_RESULTS if args.smoke else RESULTS)

    url = database.bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    print(f"bench: {database.describe(url)} (wiped unless --reuse)")

    import django

    data = None
    if args.reuse:
        django.setup()
        from bench import datagen

        try:
            data = datagen.load()
        except Exception:  # noqa: BLE001 - no usable previous data: start afresh
            data = None
        if data and (
            data.patients != patients + 1
            or len(data.completion_sessions) == 0
            or len(data.locations) != locations
        ):
            data = None
        if data is None:
            from django.db import connections

            connections.close_all()
    if data is None:
        database.wipe(url)
        django.setup()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"bench: migrated in {time.perf_counter() - started:.1f}s")
        from bench import datagen

        data = datagen.generate(
            patients=patients, sessions=sessions, completions=completions, locations=locations
        )
        print(
            f"bench: generated {data.patients:,} patients, {data.sessions:,} sessions, "
            f"{data.staff} staff, {len(data.locations)} locations in {data.seconds:.1f}s "
            f"({data.counts}); report aggregates rebuilt in {data.aggregates_seconds:.1f}s"
        )
    else:
        print(f"bench: reusing {data.patients:,} patients, {data.sessions:,} sessions")

    from bench.cases import ALL_CASES
    from bench.harness import Result, measure
    from bench.report import print_table, write_results

    cases = [cls() for cls in ALL_CASES if not args.only or cls.name in args.only]
    if args.profile:
        from bench.report import profile

        case = next(c for c in cases if c.name == args.profile)
        profile(case, data)
        return 0

    results: list[Result] = []
    for case in cases:
        print(f"bench: {case.name} ...", flush=True)
        try:
            result = measure(case, data, repeat=repeat)
        except Exception as exc:  # noqa: BLE001 - report the failure, carry on with the rest
            result = Result(case.name, case.target, error=f"{type(exc).__name__}: {exc}")
        if result.skipped:
            print(f"  {case.name}: SKIPPED, {result.skipped}")
        if result.error:
            print(f"  {case.name}: ERROR, {result.error}")
        results.append(result)

    print_table(results, data=data, repeat=repeat, vendor=_vendor())
    write_results(results, output, data=data, vendor=_vendor())
    print(f"bench: results written to {output}")

    if any(r.error for r in results):
        return 2
    if args.smoke or args.no_fail:
        return 0
    missed = [r.name for r in results if r.ok is False]
    if missed:
        print(f"bench: target missed by {', '.join(missed)}")
        return 1
    return 0


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    sys.exit(main())
