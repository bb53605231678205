"""Round trips per request (webapp/db_connections.py): safe requests read in autocommit mode
(no BEGIN, no ROLLBACK), other requests keep their transaction, and a pooled connection is
pinged only after it sat idle, which still replaces one the server has dropped."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import _service_missing
from tests.helpers import csrf_token, log_in
from tests.web.members.world import PASSWORD, person
from webapp import db_connections
from webapp.extensions import db


def test_safe_requests_read_in_autocommit_and_posts_keep_a_transaction(
    app, client, sql_log
) -> None:  # type: ignore[no-untyped-def]
    person("Reader")
    db.session.remove()
    log_in(client, "reader@example.org", PASSWORD)

    sql_log.clear()
    assert client.get("/me/profile").status_code == 200
    assert sql_log, "the page reads the database"
    assert {sent.isolation_level for sent in sql_log} == {"AUTOCOMMIT"}

    token = csrf_token(client.get("/me").get_data(as_text=True))
    sql_log.clear()
    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 302
    assert sql_log, "logging out writes the database"
    assert {sent.isolation_level for sent in sql_log} == {"transaction"}


def test_work_outside_requests_keeps_its_transaction(app, sql_log) -> None:  # type: ignore[no-untyped-def]
    """The worker and the CLI run without a request: their reads stay transactional."""
    db.session.execute(text("SELECT 1"))
    db.session.rollback()
    assert [sent.isolation_level for sent in sql_log] == ["transaction"]


@pytest.fixture()
def postgres(app, database_url):  # type: ignore[no-untyped-def]
    if not database_url.startswith("postgresql"):
        _service_missing("the idle ping applies to PostgreSQL (set TEST_DATABASE_URL)")
        pytest.skip("the idle ping applies to PostgreSQL")
    admin = create_engine(database_url)
    yield admin
    admin.dispose()


def _count_pings(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    pings: list[int] = []
    real = db.engine.dialect.do_ping

    def counting(dbapi_connection):  # type: ignore[no-untyped-def]
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counting)
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged(app, client, postgres, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pings = _count_pings(monkeypatch)
    monkeypatch.setattr(db_connections, "PING_AFTER_IDLE", 60.0)
    for _ in range(3):
        assert client.get("/communities").status_code == 200
    assert pings == []

    monkeypatch.setattr(db_connections, "PING_AFTER_IDLE", 0.0)  # now every reuse is "idle"
    assert client.get("/communities").status_code == 200
    assert pings == [1]


def test_an_idle_connection_the_server_dropped_is_replaced(
    app, client, postgres, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    db.session.remove()
    assert client.get("/communities").status_code == 200
    with db.engine.connect() as conn:  # the pooled connection the page used
        before = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with postgres.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before})
    monkeypatch.setattr(db_connections, "PING_AFTER_IDLE", 0.0)

    assert client.get("/communities").status_code == 200
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != before
