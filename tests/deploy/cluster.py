"""Several processes of the app, started for real: gunicorn instances, Celery workers, beat.

Each process runs from the shared venv under production settings, against the
test database (its committed rows: the test uses `transactional_db`), one
Redis (cache: throttles) and one broker. Its output goes to a log file;
`Cluster.stop()` ends every process group it started (TERM, then KILL).
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 90
PR_SET_PDEATHSIG = 1


def _libc():
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here, never in a forked child
    except OSError:  # not glibc: no parent-death signal, stop() still ends everything
        return None


LIBC = _libc()


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even killed outright
    (Linux). Nothing is left holding the test database's connections."""
    if LIBC is not None:
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """postgres:// URL of the database Django is connected to (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def production_env(*, database: str, redis: str, broker: str, mail_dir: Path, **extra) -> dict:
    """The environment of every process: production settings, no TLS in front."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TZ") if k in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings.production",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database,
        REDIS_URL=redis,
        CELERY_BROKER_URL=broker,
        # filemail:// + an absolute path: one file per connection under mail_dir.
        EMAIL_URL=f"filemail:///{mail_dir}",
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="INFO",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


@dataclass
class Cluster:
    env: dict
    logs: Path
    processes: list[Process] = field(default_factory=list)
    web_ports: list[int] = field(default_factory=list)

    # --- starting -----------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> Process:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own venv's programs, fixed arguments
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends its children too
                preexec_fn=_die_with_parent,  # spawned from the main thread
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def web(self, name: str) -> Process:
        port = free_port()
        self.web_ports.append(port)
        options = f"--bind 127.0.0.1:{port} --workers 2 --preload --timeout 60"
        return self._spawn(
            name,
            [
                str(BIN / "gunicorn"),
                "clinic.wsgi:application",
                *options.split(),
                "--config",
                "gunicorn.conf.py",
            ],
        )

    def worker(self, name: str) -> Process:
        # No chatter with other workers on the broker (mingle, gossip): starts faster.
        options = f"-n {name}@%h --concurrency=1 --loglevel=INFO --without-mingle --without-gossip"
        return self._spawn(name, [str(BIN / "celery"), "-A", "clinic", "worker", *options.split()])

    def beat(self, name: str) -> Process:
        schedule = f"--schedule={self.logs / 'beat-schedule'}"  # beat's own file, not in the repo
        return self._spawn(
            name, [str(BIN / "celery"), "-A", "clinic", "beat", "--loglevel=INFO", schedule]
        )

    def wait_ready(self) -> None:
        """Every web instance answers /healthz/, every worker says ready, beat started."""
        deadline = time.monotonic() + STARTUP_SECONDS
        pending = list(self.processes)
        while pending:
            for process in list(pending):
                if process.popen.poll() is not None:
                    raise AssertionError(f"{process.name} exited:\n{process.tail()}")
                if self._ready(process):
                    pending.remove(process)
            if pending and time.monotonic() > deadline:
                raise AssertionError(
                    "not ready in time: " + "\n\n".join(f"{p.name}:\n{p.tail()}" for p in pending)
                )
            time.sleep(0.2)

    def _ready(self, process: Process) -> bool:
        if process.name.startswith("web"):
            port = self.web_ports[int(process.name[-1]) - 1]
            with contextlib.suppress(OSError, http.client.HTTPException):
                return request(port, "GET", "/healthz/")[0] == 200
            return False
        if process.name.startswith("beat"):
            return "beat: Starting..." in process.text()
        return " ready." in process.text()

    # --- stopping -----------------------------------------------------------

    def stop_one(self, name: str, grace: float = 10) -> None:
        (process,) = [p for p in self.processes if p.name == name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGTERM)
        process.popen.wait(timeout=grace)

    def kill(self, name: str) -> None:
        """SIGKILL a process group, as the OOM killer or a lost host would."""
        (process,) = [p for p in self.processes if p.name == name]
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)

    def stop(self, grace: float = 10) -> None:
        """TERM every process group started here, then KILL what is left."""
        for process in self.processes:
            if process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)  # children left behind too
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=5)

    # --- reading the workers' logs -----------------------------------------

    def task_lines(self, task: str, what: str) -> dict[str, set[str]]:
        """{process name: ids of `task` whose log line says `what` (received, succeeded)}."""
        pattern = re.compile(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] {what}")
        return {p.name: set(pattern.findall(p.text())) for p in self.processes}


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    token: str | None = None,
    source: str = "127.0.0.1",
) -> tuple[int, dict | None]:
    """One HTTP request from address `source` (any 127.x.y.z); (status, JSON body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        payload = json.dumps(body) if body is not None else None
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = {"raw": raw[:300].decode(errors="replace")}
    return response.status, data


def race(calls: list[dict]) -> list[tuple[int, dict | None]]:
    """Send every call (request()'s keyword arguments) at the same moment, one thread each."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, call: dict) -> None:
        barrier.wait()
        try:
            results[i] = request(**call)
        except Exception as exc:  # reported in the assertion, not lost in a thread
            results[i] = (0, {"error": repr(exc)})

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def random_loopback() -> str:
    """A client address of its own (127.x.y.z): throttle and lockout counts start at zero."""
    return "127." + ".".join(str(secrets.randbelow(250) + 2) for _ in range(3))
