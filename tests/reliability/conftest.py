"""Real processes for the fault tests: PostgreSQL, a Redis of the test's own, Celery workers
and beat as subprocesses, and a switchable SMTP server.

Timings are shortened through the environment so faults play out in seconds, not minutes:
retry backoff 0.5 s doubling to a 2 s cap (production: 30 s to 15 min), worker lease 4 s
(120 s), sweeper every 1 s (60 s), broker visibility timeout 6 s (300 s), SMTP timeout 2 s
(10 s), three starts before a crashing task is quarantined (5).
These tests need PostgreSQL (TEST_DATABASE_URL) and the redis-server program; on SQLite they
are skipped, and under REQUIRE_SERVICES=1 (CI) a missing redis-server fails the run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import IsolatedClient, _empty_tables, _service_missing
from tests.services import ROOT, all_queues, free_port, wait_until, worker_args  # noqa: F401 (re-exported)
from tests.worker.faulty_smtp import FaultySmtp

TIMINGS = {
    "OUTBOX_RETRY_BASE_SECONDS": "0.5",
    "OUTBOX_RETRY_CAP_SECONDS": "2",
    "OUTBOX_LEASE_SECONDS": "4",
    "OUTBOX_SWEEP_SECONDS": "1",
    "CELERY_VISIBILITY_TIMEOUT": "6",
    "SMTP_TIMEOUT": "2",
    "TASK_MAX_ATTEMPTS": "3",
    "MATCH_TIME_LIMIT": "1",
    "MATCH_DUE_SECONDS": "3600",
    "NOTIFICATIONS_SECONDS": "3600",
}


class RedisProcess:
    """A redis-server on its own port, without persistence, that a test may kill."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        """SIGKILL: every message in it is gone (no persistence)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


class Processes:
    """Celery workers and beat started by a test, all stopped at its end."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.started: list[tuple[subprocess.Popen, object]] = []

    def _spawn(self, args: list[str], name: str, ready: bytes) -> subprocess.Popen:
        log_path = self.folder / f"{name}-{time.time_ns()}.log"
        log = open(log_path, "wb")  # noqa: SIM115 (closed in stop_all)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.log_path = log_path  # type: ignore[attr-defined]
        proc.ready_marker = ready  # type: ignore[attr-defined]
        self.started.append((proc, log))
        return proc

    @staticmethod
    def wait_ready(*procs: subprocess.Popen) -> None:
        """Block until every process logged that it is ready (they start in parallel)."""
        deadline = time.monotonic() + 60
        for proc in procs:
            path = proc.log_path  # type: ignore[attr-defined]
            while proc.ready_marker not in path.read_bytes():  # type: ignore[attr-defined]
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{proc.args[4:6]} did not start:\n{path.read_text()[-3000:]}")
                time.sleep(0.1)

    def worker(
        self, pool: str = "solo", *extra: str, wait: bool = True, queues: str = ""
    ) -> subprocess.Popen:
        """A `celery worker` on the test's queues (all of them, or `queues`, comma-separated;
        ready when this returns, unless wait=False)."""
        args = worker_args(pool, queues or all_queues(self.env["CELERY_QUEUE"]), *extra)
        proc = self._spawn(args, "worker", b" ready.")
        if wait:
            self.wait_ready(proc)
        return proc

    def beat(self, wait: bool = True) -> subprocess.Popen:
        """`celery beat` running the sweeper every OUTBOX_SWEEP_SECONDS."""
        schedule = self.folder / f"beat-{uuid.uuid4().hex[:6]}"
        proc = self._spawn(
            ["beat", "--loglevel", "INFO", "--schedule", str(schedule)], "beat", b"beat: Starting"
        )
        if wait:
            self.wait_ready(proc)
        return proc

    def worker_and_beat(self) -> subprocess.Popen:
        """A solo worker and beat, started together; returns the worker."""
        worker, beat = self.worker(wait=False), self.beat(wait=False)
        self.wait_ready(worker, beat)
        return worker

    def stop_all(self) -> None:
        """Cold-stop every process still running (all at once): nothing of theirs matters now."""
        for proc, _ in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT)
        for proc, log in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()  # type: ignore[attr-defined]


@pytest.fixture()
def redis_server(tmp_path: Path) -> Iterator[RedisProcess]:
    """A Redis of this test's own (never the shared one on 6379)."""
    if not shutil.which("redis-server"):
        _service_missing("redis-server is not installed (the fault tests start their own)")
        pytest.skip("redis-server is not installed")
    server = RedisProcess(free_port(), tmp_path)
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.proc.terminate()
        server.proc.wait()


@pytest.fixture()
def smtp(tmp_path: Path) -> Iterator[FaultySmtp]:
    """The switchable SMTP server the workers deliver to."""
    server = FaultySmtp(free_port())
    server.start()
    yield server
    server.on_accept = None
    server.stop()


@pytest.fixture()
def app(database_url: str, redis_server: RedisProcess, smtp: FaultySmtp, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """The in-test app on PostgreSQL and the test's Redis, with the short timings."""
    if not database_url.startswith("postgresql"):
        _service_missing("the fault tests need PostgreSQL (set TEST_DATABASE_URL)")
        pytest.skip("the fault tests need PostgreSQL (set TEST_DATABASE_URL)")
    env = {
        **TIMINGS,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_QUEUE": f"hearth-fault-{uuid.uuid4().hex[:8]}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from webapp import create_app
    from webapp.extensions import db

    flask_app = create_app({"TESTING": True})
    flask_app.test_client_class = IsolatedClient
    flask_app.config["PROCESS_ENV"] = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with flask_app.app_context():
        yield flask_app
        db.session.remove()
        _empty_tables(db)
        db.engine.dispose()


@pytest.fixture()
def processes(app, tmp_path: Path) -> Iterator[Processes]:  # type: ignore[no-untyped-def]
    """Start workers and beat with `processes.worker()` / `.beat()`; all stopped afterwards."""
    running = Processes(app.config["PROCESS_ENV"], tmp_path)
    yield running
    running.stop_all()
