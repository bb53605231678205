"""Configuration read from the environment, with embedded defaults that need no server.

Every setting is an environment variable (an optional `.env` file in the working directory
is read first). Without any, Hearth runs on a SQLite file, a SQLite-backed Celery broker and
a local mail catcher, all under the instance folder. See the README's configuration table.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from sqlalchemy.pool import QueuePool


def _flag(value: str | None, default: bool = False) -> bool:
    """Parse a boolean environment value such as 1/0, true/false, yes/no."""
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, value: str | None, default: int) -> int:
    """Parse an integer environment value, naming the variable when it is not one."""
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def instance_path() -> Path:
    """The folder for local state: SQLite files, the secret key, caught mail."""
    return Path(os.environ.get("HEARTH_INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def _secret_key(folder: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    partial = folder / f"secret_key.{os.getpid()}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    try:  # atomic: if another process (web, worker, beat) got there first, use theirs
        os.link(partial, key_file)
    except FileExistsError:
        key = key_file.read_text().strip()
    finally:
        partial.unlink()
    return key


def load_config() -> dict[str, object]:
    """Build the Flask config mapping from the environment."""
    load_dotenv(Path.cwd() / ".env", override=False)
    env = os.environ.get
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    database_url = env("DATABASE_URL") or f"sqlite:///{folder / 'hearth.sqlite'}"
    if database_url.startswith("postgres://"):  # Heroku-style URLs
        database_url = "postgresql://" + database_url[len("postgres://") :]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    broker_url = env("CELERY_BROKER_URL") or f"sqla+sqlite:///{folder / 'celery-broker.sqlite'}"
    queues = queue_names(env("CELERY_QUEUE") or "hearth")
    soft, hard = _match_time_limits()
    return {
        "INSTANCE_PATH": str(folder),
        #: Queue name per kind (queue_names), for tasks routed by what they carry.
        "TASK_QUEUE_NAMES": queues,
        "SECRET_KEY": _secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": (env("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "SMTP_HOST": env("SMTP_HOST") or "127.0.0.1",
        "SMTP_PORT": _int("SMTP_PORT", env("SMTP_PORT"), 8025),
        "SMTP_USER": env("SMTP_USER") or "",
        "SMTP_PASSWORD": env("SMTP_PASSWORD") or "",
        "SMTP_TLS": _flag(env("SMTP_TLS")),
        "SMTP_TIMEOUT": _int("SMTP_TIMEOUT", env("SMTP_TIMEOUT"), 10),
        "MAIL_FROM": env("MAIL_FROM") or "Hearth <hearth@localhost>",
        "MAIL_CATCHER_DIR": env("MAIL_CATCHER_DIR") or "",
        "MATCH_TIME_LIMIT": float(env("MATCH_TIME_LIMIT") or 5.0),
        # Search time scales with the meetup (issue 16): 0 = every match uses the whole limit.
        "MATCH_SECONDS_PER_MEMBER": float(env("MATCH_SECONDS_PER_MEMBER") or 0.005),
        # ... and during a rush: at least MATCH_RUSH_QUEUED meetups waiting (0: never).
        "MATCH_RUSH_SECONDS_PER_MEMBER": _seconds(
            "MATCH_RUSH_SECONDS_PER_MEMBER", env("MATCH_RUSH_SECONDS_PER_MEMBER"), 0.0025
        ),
        "MATCH_RUSH_QUEUED": _int("MATCH_RUSH_QUEUED", env("MATCH_RUSH_QUEUED"), 20),
        # Running at scale (issue 16): the matching task's limits and the deadline fan-out.
        "MATCH_SOFT_TIME_LIMIT": soft,
        "MATCH_HARD_TIME_LIMIT": hard,
        "MATCH_BATCH": _int("MATCH_BATCH", env("MATCH_BATCH"), 100),
        "MATCH_CLAIM_SECONDS": _seconds("MATCH_CLAIM_SECONDS", env("MATCH_CLAIM_SECONDS"), 300),
        # Seconds one dashboard refresh tick may spend (stalest snapshots first).
        "DASHBOARD_REFRESH_BUDGET": _seconds(
            "DASHBOARD_REFRESH_BUDGET", env("DASHBOARD_REFRESH_BUDGET"), 60
        ),
        # The email pipeline (issue 6): retry backoff, worker lease, sweeper, quarantine.
        "OUTBOX_RETRY_BASE_SECONDS": float(env("OUTBOX_RETRY_BASE_SECONDS") or 30),
        "OUTBOX_RETRY_CAP_SECONDS": float(env("OUTBOX_RETRY_CAP_SECONDS") or 900),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", env("OUTBOX_MAX_ATTEMPTS"), 60),
        "OUTBOX_LEASE_SECONDS": float(env("OUTBOX_LEASE_SECONDS") or 120),
        "OUTBOX_SWEEP_BATCH": _int("OUTBOX_SWEEP_BATCH", env("OUTBOX_SWEEP_BATCH"), 5000),
        "TASK_MAX_ATTEMPTS": _int("TASK_MAX_ATTEMPTS", env("TASK_MAX_ATTEMPTS"), 5),
        "LINK_MAX_AGE_DAYS": _int("LINK_MAX_AGE_DAYS", env("LINK_MAX_AGE_DAYS"), 30),
        "CELERY": {
            "broker_url": broker_url,
            # Three queues so a long match never holds up mail (README, "Running at scale"):
            # routing is `TASK_QUEUES` below; a worker without -Q consumes all three.
            "task_default_queue": queues["notifications"],
            "task_queues": {name: {"routing_key": name} for name in queues.values()},
            "task_routes": {task: {"queue": queues[kind]} for task, kind in TASK_QUEUES.items()},
            "task_annotations": {
                "hearth.run_matching_round": {"soft_time_limit": soft, "time_limit": hard},
                # Learned compatibility (issue 15): a training takes well under a minute.
                "hearth.train_compat_model": {"soft_time_limit": 300, "time_limit": 360},
            },
            "task_ignore_result": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "beat_schedule_filename": str(folder / "celerybeat-schedule"),
            # A worker killed mid-task leaves its message unacked in Redis; it comes back
            # after this many seconds (every task is idempotent, so an early return is safe).
            # (Redis only: the SQLite broker hands these options to create_engine.)
            "broker_transport_options": {
                "visibility_timeout": _int(
                    "CELERY_VISIBILITY_TIMEOUT", env("CELERY_VISIBILITY_TIMEOUT"), 300
                ),
                "unacked_restore_interval": 5,
                "unacked_restore_throttle": 1,
                "socket_timeout": 10,
                "socket_connect_timeout": 5,
            }
            if broker_url.startswith(("redis://", "rediss://"))
            else {},
            # Publishing from a web request must not hang when Redis is down: the outbox
            # row is committed and the sweeper queues it once the broker is back.
            "task_publish_retry_policy": {
                "max_retries": 2,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.5,
            },
            "worker_cancel_long_running_tasks_on_connection_loss": False,
            "sweep_outbox_seconds": float(env("OUTBOX_SWEEP_SECONDS") or 60),
            "match_due_seconds": float(env("MATCH_DUE_SECONDS") or 60),
            "notifications_seconds": float(env("NOTIFICATIONS_SECONDS") or 300),
            "compat_train_seconds": float(env("COMPAT_TRAIN_SECONDS") or 3600),
        },
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env("SECURE_COOKIES")),
        "REMEMBER_COOKIE_SECURE": _flag(env("SECURE_COOKIES")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=_remember_days(env("REMEMBER_DAYS"))),
        "SESSION_IDLE_TIMEOUT_MINUTES": _int(
            "SESSION_IDLE_TIMEOUT_MINUTES", env("SESSION_IDLE_TIMEOUT_MINUTES"), 60
        ),
        "SESSION_ABSOLUTE_TIMEOUT_MINUTES": _int(
            "SESSION_ABSOLUTE_TIMEOUT_MINUTES", env("SESSION_ABSOLUTE_TIMEOUT_MINUTES"), 720
        ),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", env("MAX_CONTENT_LENGTH"), 1024 * 1024),
        "MAX_FIELD_LENGTH": _int("MAX_FIELD_LENGTH", env("MAX_FIELD_LENGTH"), 20_000),
        "QUEUE_TIMEOUT": _seconds("QUEUE_TIMEOUT", env("QUEUE_TIMEOUT"), 0.5),
        **_rate_limit_settings(),
        **_pool_settings(database_url),
    }


#: The queue of each task, by kind: "matching" (slow and CPU-bound), "email" (delivery and
#: its sweeper) and "notifications" (the scheduler's quick tasks, and any task not listed).
TASK_QUEUES = {
    "hearth.run_matching_round": "matching",
    "hearth.solve_shard": "matching",
    "hearth.send_emails": "email",
    "hearth.send_email": "email",
    "hearth.sweep_outbox": "email",
    "hearth.send_due_notifications": "notifications",
    "hearth.match_due_meetups": "notifications",
    # Minutes of CPU at thousands of communities: never in front of a password reset.
    "hearth.refresh_dashboards": "matching",
    "hearth.train_compat_models": "notifications",
    "hearth.train_compat_model": "matching",
}


def queue_names(base: str) -> dict[str, str]:
    """Queue name per kind for CELERY_QUEUE `base`: notifications keep the plain name (so
    messages queued before the split are still consumed), the others get a suffix."""
    return {"matching": f"{base}.matching", "email": f"{base}.email", "notifications": base}


def _match_time_limits() -> tuple[float, float]:
    """MATCH_SOFT_TIME_LIMIT and MATCH_HARD_TIME_LIMIT, checked: 0 < soft < hard."""
    env = os.environ.get
    soft = _seconds("MATCH_SOFT_TIME_LIMIT", env("MATCH_SOFT_TIME_LIMIT"), 120)
    hard = _seconds("MATCH_HARD_TIME_LIMIT", env("MATCH_HARD_TIME_LIMIT"), 180)
    if not 0 < soft < hard:
        raise ValueError(
            "MATCH_SOFT_TIME_LIMIT must be above 0 and below MATCH_HARD_TIME_LIMIT, "
            f"got {soft:g} and {hard:g}"
        )
    return soft, hard


#: Longest "remember me" a member can get (issue 8: at most 30 days).
MAX_REMEMBER_DAYS = 30


def _remember_days(value: str | None) -> int:
    """REMEMBER_DAYS, refused outside 1..30 rather than silently clamped."""
    days = _int("REMEMBER_DAYS", value, MAX_REMEMBER_DAYS)
    if not 1 <= days <= MAX_REMEMBER_DAYS:
        raise ValueError(f"REMEMBER_DAYS must be between 1 and {MAX_REMEMBER_DAYS}, got {days}")
    return days


def _rate_limit_settings() -> dict[str, object]:
    """Rate-limit storage, limits and the trusted proxy count (see webapp/rate_limits.py).

    RATELIMIT_STORAGE_URI empty means: the Celery broker when it is Redis, else the embedded
    in-process store. RATELIMIT_ENABLED unset means: on, except in the test configuration.
    Each limit is checked here so a typo stops start-up with the variable's name.
    """
    from limits import parse_many

    from webapp.rate_limits import DEFAULT_LIMITS

    env = os.environ.get
    proxies = _int("PROXY_COUNT", env("PROXY_COUNT"), 0)
    if proxies < 0:
        raise ValueError(f"PROXY_COUNT must be 0 or more, got {proxies}")
    settings: dict[str, object] = {
        "RATELIMIT_STORAGE_URI": (env("RATELIMIT_STORAGE_URI") or "").strip(),
        "PROXY_COUNT": proxies,
    }
    enabled = env("RATELIMIT_ENABLED")
    if enabled is not None and enabled.strip():
        settings["RATELIMIT_ENABLED"] = _flag(enabled)
    for name, default in DEFAULT_LIMITS.items():
        value = (env(name) or "").strip() or default
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{name} must be a rate limit such as '10/hour' or '30/minute;200/hour', "
                f"got {value!r}"
            ) from None
        settings[name] = value
    return settings


def _seconds(name: str, value: str | None, default: float) -> float:
    """Parse a number of seconds (fractions allowed), naming the variable when it is not one."""
    if value is None or value.strip() == "":
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {value!r}") from None
    if not 0 <= seconds < float("inf"):
        raise ValueError(f"{name} must be 0 or more seconds, got {value!r}")
    return seconds


def _pool_settings(database_url: str) -> dict[str, object]:
    """PostgreSQL's connection pool per process: bounded, with a short wait for a connection.

    When every connection is busy a request waits at most DB_POOL_TIMEOUT seconds (fractions
    allowed, e.g. 0.25), then gets a 503 with Retry-After (webapp/errors.py) instead of
    queueing without bound (issue 8's load shedding). SQLite keeps the app factory's own
    defaults.
    """
    if not database_url.startswith("postgresql"):
        return {}
    env = os.environ.get
    size = _int("DB_POOL_SIZE", env("DB_POOL_SIZE"), 5)
    overflow = _int("DB_MAX_OVERFLOW", env("DB_MAX_OVERFLOW"), 5)
    timeout = _seconds("DB_POOL_TIMEOUT", env("DB_POOL_TIMEOUT"), 3.0)
    if size < 1 or overflow < 0:
        raise ValueError("DB_POOL_SIZE must be >= 1 and DB_MAX_OVERFLOW >= 0")
    # Flask-SQLAlchemy builds the engine through engine_from_config, which would round a
    # `pool_timeout` option down to whole seconds; the pool class carries the wait instead.
    options = {"pool_size": size, "max_overflow": overflow, "poolclass": waiting_pool(timeout)}
    return {"SQLALCHEMY_ENGINE_OPTIONS": options}


def waiting_pool(timeout: float) -> type[QueuePool]:
    """A QueuePool that waits at most `timeout` seconds (a float) for a free connection."""

    class WaitingPool(QueuePool):
        def __init__(self, creator: Any, **kwargs: Any) -> None:
            kwargs.setdefault("timeout", timeout)
            super().__init__(creator, **kwargs)

    return WaitingPool
