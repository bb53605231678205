"""The system under test: a fresh PostgreSQL database, migrated and seeded, and the app under
gunicorn on a free local port. Everything runs on this machine (127.0.0.1 only).

The database is created next to `--database-url` (the server's `postgres` database is only
used to create and drop it), migrated with `hearth db upgrade` and seeded by
`bench.load.seed` in subprocesses, exactly as an operator would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

VENV_BIN = Path(sys.executable).parent
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@dataclass
class ServerOptions:
    """How gunicorn and the app's pool are set up for a run (gunicorn.conf.py's defaults).

    As many threads as pooled connections per worker, so no request waits for a connection,
    and requests that waited longer than `queue_timeout` for a thread are answered 503 at
    once (webapp/load_shedding.py). Two earlier set-ups, measured while building this: more
    threads than connections with DB_POOL_TIMEOUT 0 shed bursts even at the goal rate (a
    worker's six connections were busy while its other threads had requests); with a 1 s
    wait instead, the excess queued and latency grew without bound at twice the goal rate.
    """

    workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))  # 1 per CPU
    threads: int | None = None  # None: one per pooled connection
    pool_size: int = 6
    max_overflow: int = 0
    pool_timeout: float = 0
    queue_timeout: float = 0.5
    raise_limits: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def thread_count(self) -> int:
        return self.threads or self.pool_size

    def describe(self) -> str:
        limits = "raised (bench env)" if self.raise_limits else "production defaults"
        return (
            f"gunicorn gthread {self.workers} workers x {self.thread_count} threads; "
            f"DB pool {self.pool_size}+{self.max_overflow}/worker, pool_timeout "
            f"{self.pool_timeout}s; queue timeout {self.queue_timeout}s; rate limits {limits}"
        )


#: Rate limits for throughput runs: every bench request comes from 127.0.0.1, so the
#: production per-IP limits (10 sign-ups an hour) would turn the bench into a 429 counter.
RAISED_LIMITS = {
    "RATELIMIT_LOGIN_PER_IP": "1000000/minute",
    "RATELIMIT_LOGIN_PER_ACCOUNT": "1000000/minute",
    "RATELIMIT_SIGNUP": "1000000/minute",
    "RATELIMIT_RESET": "1000000/minute",
    "RATELIMIT_EMAIL": "1000000/minute",
    "RATELIMIT_API": "1000000/minute",
}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Database:
    """A fresh, migrated, seeded PostgreSQL database for one bench run."""

    def __init__(self, server_url: str, workdir: Path) -> None:
        base = make_url(server_url).set(drivername="postgresql+psycopg")
        self.name = f"hearth_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin_url = base.set(database="postgres")
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        self.workdir = workdir
        self.redis_queue = f"hearth-load-{uuid.uuid4().hex[:8]}"

    def env(self, redis_url: str) -> dict[str, str]:
        """The environment every process of the stack shares."""
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            HEARTH_INSTANCE_PATH=str(self.workdir / "instance"),
            CELERY_BROKER_URL=redis_url,
            CELERY_QUEUE=self.redis_queue,
            SECRET_KEY="load-bench-" + self.name,
            MAIL_CATCHER_DIR=str(self.workdir / "mail"),
        )
        return env

    def create(self, members: int, redis_url: str) -> dict[str, object]:
        """Create, migrate and seed; return the seeded members (see bench.load.seed)."""
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        env = self.env(redis_url)
        subprocess.run(
            [str(VENV_BIN / "hearth"), "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
        out = self.workdir / "members.json"
        subprocess.run(
            [sys.executable, "-m", "bench.load.seed", str(members), str(out)],
            env=env,
            check=True,
            capture_output=True,
        )
        # Fresh tables have no planner statistics until autovacuum gets to them (minutes into
        # a run, which showed as slow pages and shed requests early in the soak); an operator
        # loading data runs ANALYZE, so the bench does too.
        engine = create_engine(make_url(self.url), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
        engine.dispose()
        return json.loads(out.read_text())

    def drop_queue(self, redis_url: str) -> None:
        """Delete the bench's broker queue (sign-up emails nobody delivers)."""
        import redis

        client = redis.Redis.from_url(redis_url)
        client.delete(self.redis_queue)
        client.close()

    def drop(self) -> None:
        """Drop the database (closing whatever connections are left)."""
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


class Server:
    """The app under gunicorn, started and stopped by the bench."""

    def __init__(self, env: dict[str, str], options: ServerOptions, workdir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.options = options
        self.env = dict(env)
        self.env.update(
            DB_POOL_SIZE=str(options.pool_size),
            DB_MAX_OVERFLOW=str(options.max_overflow),
            DB_POOL_TIMEOUT=str(options.pool_timeout),
            QUEUE_TIMEOUT=str(options.queue_timeout),
            BASE_URL=self.base_url,
        )
        if options.raise_limits:
            self.env.update(RAISED_LIMITS)
        self.env.update(options.extra_env)
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        """Start gunicorn and wait until the landing page answers."""
        command = [  # the production settings (gunicorn.conf.py), sized by the options
            str(VENV_BIN / "gunicorn"),
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.options.workers),
            "--threads",
            str(self.options.thread_count),
            "webapp:create_app()",
        ]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        try:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
            )
        except OSError:
            self._log.close()
            raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                with urlopen(self.base_url + "/login", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout}s; see {self.log_path}")

    def rss_bytes(self) -> int:
        """Resident memory of gunicorn's master and workers together."""
        if self.process is None:
            return 0
        pids = [self.process.pid, *_children(self.process.pid)]
        return sum(_rss(pid) for pid in pids)

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM), then for good."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        self.process = None


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def workdir() -> Path:
    """A scratch folder for logs, the instance folder and the seeded members list."""
    return Path(tempfile.mkdtemp(prefix="hearth-load-"))
