"""Load shedding (issue 8): when every pooled database connection is busy, a request waits at
most DB_POOL_TIMEOUT and is answered 503 with Retry-After, never a 500.

The pool is the real one (PostgreSQL, sized by the environment as in production); the test
holds its only connection, as a slow request would, while a page that reads the database is
requested.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import IsolatedClient, _empty_tables, _service_missing


@pytest.fixture()
def one_connection_app(database_url, broker_url, monkeypatch):  # type: ignore[no-untyped-def]
    """An app whose pool has a single connection and waits a quarter of a second for it."""
    if not database_url.startswith("postgresql"):
        _service_missing("the pool settings apply to PostgreSQL (set TEST_DATABASE_URL)")
        pytest.skip("the pool settings apply to PostgreSQL")
    monkeypatch.setenv("DB_POOL_SIZE", "1")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("DB_POOL_TIMEOUT", "0.25")
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"TESTING": True})
    app.test_client_class = IsolatedClient  # each request has its own session, as in production
    with app.app_context():
        yield app, db.engine
        db.session.remove()
        _empty_tables(db)
        db.engine.dispose()


def test_pool_settings_come_from_the_environment(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    _app, engine = one_connection_app
    assert engine.pool.size() == 1
    assert engine.pool.timeout() == 0.25  # fractions are kept, not rounded down to 0


def test_a_pool_timeout_is_a_503_with_retry_after(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    app, engine = one_connection_app
    client = app.test_client()
    assert client.get("/communities").status_code == 200  # the page reads the database
    with engine.connect():  # a slow request holds the only connection
        started = time.monotonic()
        busy = client.get("/communities")
        waited = time.monotonic() - started
    assert busy.status_code == 503
    assert waited >= 0.25, "the request waited for a connection before being shed"
    assert busy.headers["Retry-After"].isdigit()
    assert "very busy" in busy.get_data(as_text=True)
    assert client.get("/communities").status_code == 200  # and it recovers at once


def test_a_logged_in_page_is_shed_the_same_way(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    """The member loader itself waits for the pool; the busy page must not wait again."""
    app, engine = one_connection_app
    from webapp.extensions import db
    from webapp.services import accounts

    member = accounts.sign_up("shed@example.org", "a long load password", "Shed").member
    member_id = f"{member.id}:{member.session_token}"
    db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = member_id
        session["_fresh"] = True
    assert client.get("/me/profile").status_code == 200
    with engine.connect():
        busy = client.get("/me/profile")
    assert busy.status_code == 503
    assert busy.headers["Retry-After"].isdigit()
