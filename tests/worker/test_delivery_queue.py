"""Delivery tasks are published only after the commit, through the real broker."""

from __future__ import annotations

import os

from kombu import Connection

from webapp.config import queue_names
from webapp.extensions import db
from webapp.services import delivery_queue, emails


def _published_batches(broker_url: str, kind: str = "email") -> list[list[int]]:
    """Drain the test's queue of this kind and return the email ids of each send task in it."""
    batches = []
    with Connection(broker_url) as conn:
        queue = conn.SimpleQueue(queue_names(os.environ["CELERY_QUEUE"])[kind])
        while True:
            try:
                message = queue.get(timeout=0.5)
            except queue.Empty:
                break
            if message.headers.get("task") == "hearth.send_emails":
                batches.append(message.decode()[0][0])
            message.ack()
        queue.close()
    return batches


def _published_ids(broker_url: str) -> list[int]:
    return [email_id for batch in _published_batches(broker_url) for email_id in batch]


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


def test_a_big_commit_is_published_in_batches_of_every_row_once(app, broker_url):  # type: ignore[no-untyped-def]
    _published_ids(broker_url)
    rows = [_queue_one(n) for n in range(2 * delivery_queue.SEND_BATCH + 3)]
    db.session.commit()
    batches = _published_batches(broker_url)
    assert [len(b) for b in batches] == [delivery_queue.SEND_BATCH] * 2 + [3]
    assert sorted(i for b in batches for i in b) == sorted(r.id for r in rows)


def test_account_emails_skip_the_match_email_queue(app, broker_url):  # type: ignore[no-untyped-def]
    """A password reset must not wait behind a deadline's thousands of match emails: its task
    goes to the quick notifications queue, in the same commit as match emails that don't."""
    from tests.worker import factories
    from webapp.services import account_changes

    factories.member(factories.community(), 1)
    db.session.commit()
    _published_ids(broker_url)
    _published_batches(broker_url, "notifications")
    match_email = _queue_one(1)
    reset_ids = account_changes.request_password_reset("member1@example.org")
    assert len(reset_ids) == 1
    assert _published_batches(broker_url, "notifications") == [reset_ids]
    assert _published_ids(broker_url) == [match_email.id]


def test_every_account_email_kind_is_known_to_the_publisher(app):  # type: ignore[no-untyped-def]
    import pytest

    from webapp.services.accounts import queue_account_email

    with pytest.raises(ValueError, match="ACCOUNT_KINDS"):
        queue_account_email("invitation", None, "Hi", "reset")


def test_the_sweeper_batches_fresh_rows_and_sends_tried_ones_alone(app, broker_url):  # type: ignore[no-untyped-def]
    from worker.tasks import sweep_outbox

    fresh = [_queue_one(n) for n in range(3)]
    tried = [_queue_one(n) for n in range(3, 5)]
    for row in tried:
        row.attempts = 1  # tried before (perhaps the message that crashed its worker)
    db.session.commit()
    _published_ids(broker_url)  # drop what the commit published
    assert sweep_outbox() == 5
    assert _published_batches(broker_url) == [[r.id for r in fresh]] + [[r.id] for r in tried]


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
