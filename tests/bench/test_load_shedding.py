"""Load shedding (issue 8): when every pooled database connection is busy, a request waits at
most DB_POOL_TIMEOUT and is answered 503 with Retry-After, never a 500; under gunicorn, a
request that waited for a thread longer than QUEUE_TIMEOUT is answered the same way.

The pool is the real one (PostgreSQL, sized by the environment as in production); the test
holds its only connection, as a slow request would, while a page that reads the database is
requested.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from bench.load.stack import Server, ServerOptions
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


def _status(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urlopen(url, timeout=20) as answer:  # noqa: S310 (a local test server)
            return answer.status, dict(answer.headers), answer.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_gunicorn_sheds_a_request_that_waited_for_a_thread(
    database_url, broker_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Under gunicorn.conf.py's worker class: one worker with one thread, held by a client
    that sends its form slowly; a page requested meanwhile waits for the thread longer than
    QUEUE_TIMEOUT and gets a 503 at once, and the next one is served."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        HEARTH_INSTANCE_PATH=str(tmp_path / "instance"),
        SECRET_KEY="queue-shedding-test",
    )
    options = ServerOptions(workers=1, threads=1, pool_size=1, queue_timeout=0.3)
    server = Server(env, options, tmp_path)
    server.start()
    try:
        host, port = "127.0.0.1", server.port
        with socket.create_connection((host, port), timeout=20) as slow:
            body = b"email=slow%40example.org&password=x"
            slow.sendall(
                b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
            )
            time.sleep(0.3)  # the only thread is now reading the form
            waiting: dict[str, tuple[int, dict[str, str], str]] = {}
            reader = threading.Thread(
                target=lambda: waiting.setdefault("page", _status(server.base_url + "/communities"))
            )
            reader.start()
            time.sleep(1.0)  # the page queues for the thread meanwhile
            slow.sendall(body)
            slow.recv(65536)  # the login form's answer (400: no CSRF token)
            reader.join(20)
        status, headers, text = waiting["page"]
        assert status == 503, text[:300]
        assert headers["Retry-After"].isdigit()
        assert "very busy" in text
        assert _status(server.base_url + "/communities")[0] == 200
    finally:
        server.stop()
    assert "Traceback" not in server.log_path.read_text()
