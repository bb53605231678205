"""Fixtures shared by every test: real services where they exist, embedded defaults elsewhere.

- `TEST_DATABASE_URL` (PostgreSQL): a fresh database is created for the session and migrated
  with `hearth db upgrade`'s code; without it, a SQLite file in a temp folder.
- `TEST_REDIS_URL`: the Celery broker for worker tests; without it, the SQLite broker.
- `REQUIRE_SERVICES=1` (set by `.ci/run`): a missing service fails the run instead of
  falling back.
Each test starts from empty tables.
"""

from __future__ import annotations

import contextvars
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytest_plugins = ["tests.services"]

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
_INSTANCE = Path(tempfile.mkdtemp(prefix="hearth-test-"))
os.environ["HEARTH_INSTANCE_PATH"] = str(_INSTANCE)
os.environ["CELERY_QUEUE"] = f"hearth-test-{uuid.uuid4().hex[:8]}"
os.environ.pop("SMTP_HOST", None)
os.environ.pop("SMTP_PORT", None)


def _service_missing(message: str) -> None:
    """Fail under REQUIRE_SERVICES, else let the caller fall back to an embedded default."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}", pytrace=False)


def _postgres_database(url: str) -> str | None:
    """Create a fresh database next to TEST_DATABASE_URL's; None if PostgreSQL is unreachable."""
    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"hearth_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 (any connection failure means "not here")
        _service_missing(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
        return None
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    """Drop the session's database, closing any connections the worker left."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """The session's migrated database URL (also exported as DATABASE_URL for subprocesses)."""
    url = None
    if os.environ.get("TEST_DATABASE_URL"):
        url = _postgres_database(os.environ["TEST_DATABASE_URL"])
    else:
        _service_missing("TEST_DATABASE_URL is not set")
    is_postgres = url is not None
    url = url or f"sqlite:///{_INSTANCE / 'test.sqlite'}"
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from webapp import create_app

    app = create_app()
    with app.app_context():
        upgrade()
        from webapp.extensions import db

        db.engine.dispose()
    yield url
    if is_postgres:
        _drop_postgres_database(url)


@pytest.fixture(scope="session")
def broker_url() -> str:
    """Redis from TEST_REDIS_URL when reachable, else the embedded SQLite broker."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            _service_missing(f"Redis at TEST_REDIS_URL is unreachable: {exc}")
            url = None
    else:
        _service_missing("TEST_REDIS_URL is not set")
    url = url or f"sqla+sqlite:///{_INSTANCE / 'broker.sqlite'}"
    os.environ["CELERY_BROKER_URL"] = url
    return url


#: Seconds a test match searches (production's default is 5).
TEST_MATCH_TIME_LIMIT = 0.2


@pytest.fixture()
def app(database_url: str, broker_url: str):  # type: ignore[no-untyped-def]
    """A Flask app on the session database; every table is emptied after the test."""
    from webapp import create_app
    from webapp.extensions import db

    # Test communities are small: their search settles well within 0.2 s, and every match
    # uses its whole limit (see worker/matching/budget.py), so a longer one only costs time.
    app = create_app({"TESTING": True, "MATCH_TIME_LIMIT": TEST_MATCH_TIME_LIMIT})
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(db)
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as real requests do.

    The test itself holds an app context for its database checks; without this, requests
    would share it (and its `g`, where Flask-Login caches the user) with each other.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(super().open, *args, **kwargs)


def _empty_tables(db) -> None:  # type: ignore[no-untyped-def]
    """Delete every row, children first, so the next test starts clean."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@dataclass(frozen=True)
class SentStatement:
    """One SQL statement the app sent, and how its connection was set up."""

    sql: str
    isolation_level: str  # "AUTOCOMMIT", or "transaction" for the engine's default


@pytest.fixture()
def sql_log(app):  # type: ignore[no-untyped-def]
    """Every SQL statement the app sends while the test runs."""
    from sqlalchemy import event

    from webapp.extensions import db

    seen: list[SentStatement] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        level = conn.get_execution_options().get("isolation_level", "transaction")
        seen.append(SentStatement(statement, level))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    """A test client for the app."""
    return app.test_client()
