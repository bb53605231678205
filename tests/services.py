"""Fixtures for real external processes: an SMTP server (aiosmtpd) and a Celery worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


def all_queues(base: str) -> str:
    """Every queue of CELERY_QUEUE `base`, as `celery worker -Q` takes them."""
    from webapp.config import queue_names

    return ",".join(queue_names(base).values())


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpInbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        """Block until `count` messages arrived (or fail after `timeout` seconds)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} emails, got {len(self.messages)} in {timeout}s")
            return list(self.messages)


@pytest.fixture()
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpInbox]:
    """A real SMTP server on a free port; SMTP_HOST/SMTP_PORT point at it for app and worker."""
    port = free_port()
    inbox = SmtpInbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    yield inbox
    controller.stop()


def worker_args(pool: str, queues: str, *extra: str) -> list[str]:
    """`celery worker` arguments for a test worker: quiet cluster chatter, one process
    when prefork, a unique hostname, these queues (comma-separated)."""
    return [
        "worker",
        "--pool",
        pool,
        *(["--concurrency", "1"] if pool == "prefork" else []),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"w{time.time_ns()}@%h",
        "-Q",
        queues,
        *extra,
    ]


def start_worker(
    folder: Path, queues: str, *, pool: str = "solo", env: dict[str, str] | None = None
) -> subprocess.Popen:
    """A `celery worker` subprocess on these queues (comma-separated), not yet ready; its
    output goes to a log file in `folder` (`proc.log_path`)."""
    log_path = folder / f"worker-{time.time_ns()}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app", *worker_args(pool, queues)],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "MATCH_TIME_LIMIT": "2", **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, with any pool children
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    return proc


def wait_ready(*procs: subprocess.Popen, timeout: float = 60) -> None:
    """Block until every worker logged that it is ready (fail if one exits first)."""
    deadline = time.monotonic() + timeout
    for proc in procs:
        path = proc.log_path  # type: ignore[attr-defined]
        while b" ready." not in path.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_worker(proc)
                pytest.fail(f"celery worker did not start:\n{path.read_text()[-3000:]}")
            time.sleep(0.1)


def stop_worker(proc: subprocess.Popen) -> None:
    """Stop a worker (warm shutdown, then a kill if it hangs)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture()
def celery_worker(
    database_url: str, broker_url: str, smtp_server: SmtpInbox
) -> Iterator[subprocess.Popen]:
    """A real `celery worker` subprocess on the test database, broker and SMTP server,
    consuming every queue (as `hearth demo`'s one worker does)."""
    folder = Path(os.environ["HEARTH_INSTANCE_PATH"])
    proc = start_worker(folder, all_queues(os.environ["CELERY_QUEUE"]))
    wait_ready(proc)
    yield proc
    stop_worker(proc)


@pytest.fixture()
def celery_workers(database_url: str, broker_url: str, smtp_server: SmtpInbox):  # type: ignore[no-untyped-def]
    """Start workers with `celery_workers(kinds, pool=..., env=...)`: `kinds` are queue
    kinds ("matching,email"; "" = all queues); they start together and are ready when
    the call returns. All are stopped after the test. The queues are emptied first: tasks
    earlier tests published without a worker must not run against this test's rows."""
    from kombu import Connection

    from webapp.config import queue_names

    folder = Path(os.environ["HEARTH_INSTANCE_PATH"])
    names = queue_names(os.environ["CELERY_QUEUE"])
    with Connection(broker_url) as conn:
        for name in names.values():
            conn.SimpleQueue(name).clear()
    started: list[subprocess.Popen] = []

    def start(*kinds: str, pool: str = "solo", env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        procs = [
            start_worker(
                folder,
                ",".join(names[k] for k in kind.split(",")) if kind else ",".join(names.values()),
                pool=pool,
                env=env,
            )
            for kind in kinds
        ]
        started.extend(procs)
        wait_ready(*procs)
        return procs

    yield start
    for proc in started:  # killed with their pool children, all at once: the test is over
        if proc.poll() is None:  # (a cold shutdown takes seconds on the SQLite broker)
            os.killpg(proc.pid, signal.SIGKILL)
    for proc in started:
        proc.wait()


def wait_until(
    check: Callable[[], object], timeout: float, what: str, interval: float = 0.2
) -> float:
    """Poll `check` (with a fresh view of the database) until it is truthy; return the
    seconds it took, or fail after `timeout`."""
    from webapp.extensions import db

    started = time.monotonic()
    while True:
        db.session.rollback()
        db.session.expire_all()
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
