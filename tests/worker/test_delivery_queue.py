"""Delivery tasks are published only after the commit, through the real broker."""

from __future__ import annotations

import os

from kombu import Connection

from webapp.extensions import db
from webapp.services import delivery_queue, emails


def _published_ids(broker_url: str) -> list[int]:
    """Drain the test queue and return the email ids of the send tasks in it."""
    ids = []
    with Connection(broker_url) as conn:
        queue = conn.SimpleQueue(os.environ["CELERY_QUEUE"])
        while True:
            try:
                message = queue.get(timeout=0.5)
            except queue.Empty:
                break
            if message.headers.get("task") == "hearth.send_email":
                ids.append(message.decode()[0][0])
            message.ack()
        queue.close()
    return ids


def _queue_one(n: int):  # type: ignore[no-untyped-def]
    return emails.queue(kind="test", to_address=f"p{n}@example.org", subject="Hi", body_text="Hi")


def test_rows_are_published_after_commit_and_never_after_rollback(app, broker_url):  # type: ignore[no-untyped-def]
    _published_ids(broker_url)
    kept = _queue_one(1)
    assert _published_ids(broker_url) == [], "nothing is published before the commit"
    db.session.commit()
    assert _published_ids(broker_url) == [kept.id]

    _queue_one(2)
    db.session.rollback()
    db.session.commit()
    assert _published_ids(broker_url) == [], "a rolled-back row is never published"


def test_after_commit_callbacks_run_once_and_not_on_rollback(app):  # type: ignore[no-untyped-def]
    ran: list[str] = []
    delivery_queue.after_commit(lambda: ran.append("dropped"))
    db.session.rollback()
    delivery_queue.after_commit(lambda: ran.append("kept"))
    db.session.commit()
    db.session.commit()
    assert ran == ["kept"]


def test_publishing_to_a_dead_broker_does_not_fail_the_commit(app):  # type: ignore[no-untyped-def]
    from tests.services import free_port

    celery = app.extensions["celery"]
    old = celery.conf.broker_url
    celery.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    celery.pool.force_close_all()
    try:
        email = _queue_one(3)
        db.session.commit()  # the row is committed; the sweeper will queue it
    finally:
        celery.conf.broker_url = old
        celery.pool.force_close_all()
        # A force-closed pool stays closed, and kombu keeps its producer pools globally
        # per broker URL: drop them all so later tests publish through fresh ones.
        from kombu import pools

        pools.reset()
        celery._pool = None
        celery.amqp._producer_pool = None
    assert db.session.get(type(email), email.id) is not None
