"""Timing: app path against lower bound, side by side, after checking answers.

For each case: reset, run the app path once counting its statements (the
warm-up, and the query count), reset, run the lower bound once, compare the
two answers (a mismatch stops that case: a fast wrong answer is no bound).
Then `repeat` rounds, each resetting and timing the app path and then the
lower bound, so drift on a noisy machine hits both alike. Medians are
reported; ratio = app median / lower-bound median.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import statistics
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from bench.datagen import Dataset


class AnswerMismatch(Exception):
    """The app path and its lower bound disagree: the benchmark is not valid."""


class Case:
    """One benchmark: an app path and the hand-written SQL doing the same work."""

    name: str = ""
    target: float = 0.0
    app_path: str = ""
    lower_bound_path: str = ""
    # Tables the app path and the lower bound write: vacuumed after each reset on
    # PostgreSQL (untimed), so that neither run pays for the other's dead rows
    # (a server with autovacuum off would let them pile up run after run).
    writes: tuple[str, ...] = ()

    def unavailable(self) -> str | None:
        """Why this case cannot run (the app function has not landed), or None."""
        return None

    def setup(self, data: Dataset) -> None:
        """Untimed preparation (clients, tokens, ids)."""

    def reset(self, data: Dataset) -> None:
        """Untimed: put the database back as it was before a run."""

    def n(self, data: Dataset) -> int:
        """How many rows the work covers (for rows/s)."""
        raise NotImplementedError

    def app(self, data: Dataset) -> Any:
        raise NotImplementedError

    def lower_bound(self, data: Dataset) -> Any:
        raise NotImplementedError

    def answer(self, data: Dataset, returned: Any) -> Any:
        """Untimed: what is compared between app and lower bound (default: the return value)."""
        return returned

    def check_app(self, data: Dataset, answer: Any) -> dict:
        """Extra checks after the warm-up app run; returns notes for the report."""
        return {}

    def normalize(self, answer: Any) -> Any:
        return normalize(answer)


@dataclass
class Result:
    name: str
    target: float
    n: int = 0
    app_s: float | None = None
    lower_bound_s: float | None = None
    queries: int | None = None
    skipped: str | None = None
    error: str | None = None
    app_runs: list[float] = field(default_factory=list)
    lower_bound_runs: list[float] = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.app_s is None or not self.lower_bound_s:
            return None
        return self.app_s / self.lower_bound_s

    @property
    def rows_per_s(self) -> float | None:
        return self.n / self.app_s if self.app_s else None

    @property
    def ok(self) -> bool | None:
        return None if self.ratio is None else self.ratio <= self.target

    def as_json(self) -> dict:
        if self.skipped or self.error:
            return {
                "ratio": None,
                "app_s": None,
                "lower_bound_s": None,
                "queries": None,
                "n": self.n or None,
                "target": self.target,
                "skipped" if self.skipped else "error": self.skipped or self.error,
            }
        return {
            "ratio": round(self.ratio, 3),
            "app_s": round(self.app_s, 6),
            "lower_bound_s": round(self.lower_bound_s, 6),
            "queries": self.queries,
            "n": self.n,
            "rows_per_s": round(self.rows_per_s, 1),
            "target": self.target,
            "ok": self.ok,
            "app_runs_s": [round(t, 6) for t in self.app_runs],
            "lower_bound_runs_s": [round(t, 6) for t in self.lower_bound_runs],
            **({"notes": self.notes} if self.notes else {}),
        }


class _QueryCounter:
    """Counts every statement the app path sends (CaptureQueriesContext stops at 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _timed(fn, data: Dataset) -> float:
    gc.collect()
    started = time.perf_counter()
    fn(data)
    return time.perf_counter() - started


def _reset(case: Case, data: Dataset) -> None:
    case.reset(data)
    # (Not inside a transaction: the test suite's smoke run.)
    if case.writes and connection.vendor == "postgresql" and not connection.in_atomic_block:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(qn(t) for t in case.writes)}")


def measure(case: Case, data: Dataset, *, repeat: int, log=print) -> Result:
    result = Result(case.name, case.target)
    reason = case.unavailable()
    if reason:
        result.skipped = f"not available: {reason}"
        return result
    case.setup(data)
    result.n = case.n(data)

    case.reset(data)
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        returned = case.app(data)
    result.queries = counter.count
    app_answer = case.answer(data, returned)
    result.notes = case.check_app(data, app_answer) or {}
    case.reset(data)
    bound_answer = case.answer(data, case.lower_bound(data))
    left, right = case.normalize(app_answer), case.normalize(bound_answer)
    if left != right:
        raise AnswerMismatch(f"{case.name}: app and lower bound differ: {_diff(left, right)}")
    log(f"  {case.name}: answers match ({result.n} rows, {result.queries} queries); timing...")

    for _ in range(repeat):
        _reset(case, data)
        result.app_runs.append(_timed(case.app, data))
        _reset(case, data)
        result.lower_bound_runs.append(_timed(case.lower_bound, data))
    case.reset(data)
    result.app_s = statistics.median(result.app_runs)
    result.lower_bound_s = statistics.median(result.lower_bound_runs)
    return result


_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def normalize(value: Any) -> Any:
    """A comparable form: numbers as rounded floats, datetimes as UTC instants."""
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return normalize(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    return value


def _diff(left: Any, right: Any, path: str = "") -> str:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if left.get(key, "<missing>") != right.get(key, "<missing>"):
                return _diff(
                    left.get(key, "<missing>"), right.get(key, "<missing>"), f"{path}.{key}"
                )
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path or '<root>'}: {len(left)} items vs {len(right)}"
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            if a != b:
                return _diff(a, b, f"{path}[{i}]")
    return f"{path or '<root>'}: app={str(left)[:300]!r} lower_bound={str(right)[:300]!r}"
