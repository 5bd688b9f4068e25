"""Which database a benchmark run uses, and wiping it.

Never the developer's data: without DATABASE_URL the run uses a fresh SQLite
file var/bench.sqlite3. With a PostgreSQL DATABASE_URL it uses a database of
its own derived from it (`clinic` -> `clinic_bench`, created when missing),
and WIPES it (drop schema public) before migrating and generating data.
BENCH_DATABASE_URL names the database explicitly (it is wiped too).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = BASE_DIR / "var" / "bench.sqlite3"
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "psql", "postgis")


def bench_database_url(environ: dict | None = None) -> str:
    """The URL the benchmark will use (and wipe)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    url = environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        name = parts.path.lstrip("/") or "clinic"
        if not name.endswith("_bench"):
            name = f"{name}_bench"
        return urlunsplit(parts._replace(path=f"/{name}"))
    # A SQLite DATABASE_URL is most likely the developer's own file: keep off it.
    return f"sqlite:///{DEFAULT_SQLITE}"


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def wipe(url: str) -> None:
    """Start from an empty database (before Django connects to it)."""
    if is_postgres(url):
        _wipe_postgres(url)
        return
    path = Path(urlsplit(url).path)
    if str(path) in ("", "/", ":memory:"):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _conninfo(url: str, dbname: str | None = None) -> dict:
    parts = urlsplit(url)
    info = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "dbname": dbname or parts.path.lstrip("/"),
    }
    if parts.password:
        info["password"] = parts.password
    return info


def _wipe_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    info = _conninfo(url)
    name = info["dbname"]
    with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def describe(url: str) -> str:
    parts = urlsplit(url)
    if is_postgres(url):
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')}"
    return f"SQLite {parts.path}"
