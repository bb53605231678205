"""Email delivery under faults, with real workers, beat, Redis and SMTP processes."""

from __future__ import annotations

import signal
import time
from collections import Counter

from sqlalchemy import func, select, text, update

from tests.reliability.conftest import wait_until
from tests.worker import factories
from webapp.config import queue_names
from webapp.extensions import db
from webapp.models.messages import OutboxEmail, OutboxStatus
from webapp.services import emails, outbox


def _queue(count: int, prefix: str = "p") -> list[int]:
    """Commit `count` emails (their tasks are published after the commit)."""
    rows = [
        emails.queue(
            kind="test", to_address=f"{prefix}{n}@example.org", subject=f"Hi {n}", body_text="Hi"
        )
        for n in range(count)
    ]
    db.session.commit()
    return [row.id for row in rows]


def _count(status: OutboxStatus) -> int:
    return db.session.scalar(select(func.count()).where(OutboxEmail.status == status))


def _marks_waiting_on_a_lock() -> int:
    """Workers blocked in the UPDATE that marks a row (the test holds that row's lock)."""
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'UPDATE outbox_emails%'"
            )
        ).scalar_one()


def test_sigkill_after_smtp_accepted_resends_once_with_the_same_message_id(app, processes, smtp):  # type: ignore[no-untyped-def]
    worker = processes.worker_and_beat()
    engine, held = db.engine, []

    def hold_the_row(message) -> None:  # type: ignore[no-untyped-def]
        """Stored, "250" not yet sent: lock the row so the worker's mark has to wait."""
        if not held:
            email_id = int(str(message["Message-ID"]).split("-")[1].split("@")[0])
            conn = engine.connect()
            lock = text("SELECT 1 FROM outbox_emails WHERE id = :id FOR UPDATE")
            conn.execute(lock, {"id": email_id})
            held.append(conn)

    smtp.on_accept = hold_the_row
    ids = _queue(5)  # one batch: the worker sends all five over one connection
    wait_until(lambda: _marks_waiting_on_a_lock() == 1, 30, "the worker to mark the accepted one")
    worker.send_signal(signal.SIGKILL)  # between "250" and "marked sent"
    worker.wait()
    smtp.on_accept = None
    held[0].rollback()
    held[0].close()
    assert _count(OutboxStatus.SENT) == 0 and len(smtp.messages) == 1
    processes.worker()
    wait_until(lambda: _count(OutboxStatus.SENT) == 5, 60, "every row to be marked sent")
    time.sleep(1.5)  # a further duplicate would have arrived by now
    counts = Counter(smtp.message_ids())
    assert set(counts) == {f"<outbox-{i}@127.0.0.1>" for i in ids}, "no message lost"
    assert sorted(counts.values()) == [1, 1, 1, 1, 2], "only the interrupted one, and once"
    assert counts[str(smtp.messages[0]["Message-ID"])] == 2


def test_refused_then_4xx_then_recovery_delivers_all_within_the_backoff_cap(app, processes, smtp):  # type: ignore[no-untyped-def]
    processes.worker_and_beat()
    smtp.stop()  # connections refused (a minute in the issue; 4 s here)
    ids = _queue(8)
    wait_until(
        lambda: db.session.scalar(select(func.min(OutboxEmail.attempts))) >= 2,
        20,
        "retries against the refusing server",
    )
    time.sleep(2)
    smtp.mode = "tempfail"  # then 451 for every recipient (4 s here)
    smtp.start()
    wait_until(
        lambda: (
            db.session.scalar(select(func.count()).where(OutboxEmail.last_error.contains("451")))
            == 8
        ),
        20,
        "every row to have met the 4xx answers",
    )
    time.sleep(2)
    assert _count(OutboxStatus.PENDING) == 8, "temporary failures are never given up early"
    smtp.mode = "accept"
    took = wait_until(lambda: _count(OutboxStatus.SENT) == 8, 30, "delivery after recovery")
    cap, sweep = 2.0, 1.0
    assert took <= cap + sweep + 5.0, f"delivered {took:.1f}s after recovery"  # +5 s: busy host
    assert sorted(smtp.message_ids()) == sorted(f"<outbox-{i}@127.0.0.1>" for i in ids)


def test_a_5xx_recipient_fails_after_one_attempt_and_organizers_see_it(app, processes, smtp):  # type: ignore[no-untyped-def]
    processes.worker_and_beat()
    round_, group, people = factories.published_round(size=3)
    smtp.reject.add(people[1].email)
    emails.queue_match_emails(group)
    db.session.commit()
    wait_until(
        lambda: _count(OutboxStatus.SENT) == 2 and _count(OutboxStatus.FAILED) == 1,
        30,
        "two delivered, one failed",
    )
    time.sleep(2.5)  # longer than the backoff cap and two sweeps: no retry happens
    [failed] = outbox.failed_emails(round_.community_id)
    assert failed.to_address == people[1].email and failed.attempts == 1
    assert "550" in failed.last_error
    assert len(smtp.messages) == 2
    # ... and the organizer sees it on the community's page
    from tests.web.organizer.conftest import logged_in_client
    from webapp.models import Community, Membership, Role

    db.session.execute(
        update(Membership).where(Membership.member_id == people[0].id).values(role=Role.ORGANIZER)
    )
    db.session.commit()
    slug = db.session.get(Community, round_.community_id).slug
    page = logged_in_client(app, people[0]).get(f"/organize/{slug}").get_data(as_text=True)
    assert "Emails that could not be delivered" in page
    assert people[1].email in page and "No such user here" in page


def test_redis_killed_with_messages_pending_all_delivered_within_one_sweep(
    app, processes, smtp, redis_server
):  # type: ignore[no-untyped-def]
    _queue(10, "before")  # published to Redis; no worker is consuming yet
    assert redis_server.proc is not None
    redis_server.kill()  # the queued messages are gone with it
    _queue(5, "during")  # committed while Redis is down: publishing fails, rows stay
    redis_server.start()
    processes.worker_and_beat()
    sweep_period = 1.0
    took = wait_until(lambda: _count(OutboxStatus.SENT) == 15, 30, "every committed email")
    assert took <= sweep_period + 5.0, f"all delivered {took:.1f}s after the worker was ready"
    assert len(set(smtp.message_ids())) == 15 and len(smtp.messages) == 15


def test_a_task_for_a_rolled_back_row_sends_nothing(app, processes, smtp):  # type: ignore[no-untyped-def]
    worker = processes.worker()
    ghost = emails.queue(kind="test", to_address="ghost@example.org", subject="Boo", body_text="")
    app.extensions["celery"].send_task("hearth.send_email", args=[ghost.id])  # too early
    db.session.rollback()
    wait_until(
        lambda: "succeeded" in worker.log_path.read_text(), 30, "the worker to handle the task"
    )
    [real] = _queue(1, "real")
    wait_until(lambda: _count(OutboxStatus.SENT) == 1, 30, "the real email")
    assert smtp.message_ids() == [f"<outbox-{real}@127.0.0.1>"]
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 1


def test_a_stalling_server_costs_a_batch_two_timeouts_then_all_is_delivered(app, processes, smtp):  # type: ignore[no-untyped-def]
    processes.worker()  # no beat yet: the first batch's outcome stays as the worker left it
    smtp.mode, smtp.stall_seconds = "stall", 30  # hangs after DATA, never keeps the message
    ids = _queue(8)  # one batch
    wait_until(
        lambda: (
            db.session.scalar(
                select(func.count()).where(
                    OutboxEmail.attempts == 1, OutboxEmail.claimed_until.is_(None)
                )
            )
            == 8
        ),
        30,
        "the worker to finish the batch",
    )
    errors = db.session.scalars(select(OutboxEmail.last_error).order_by(OutboxEmail.id)).all()
    assert all("timed out" in e for e in errors), errors
    tried = [e for e in errors if not e.startswith("not tried")]
    assert errors[0] in tried and len(tried) <= 2, "at most two timeouts, then all back off"
    assert smtp.connections == len(tried) and _count(OutboxStatus.PENDING) == 8
    smtp.mode = "accept"
    processes.beat()
    took = wait_until(lambda: _count(OutboxStatus.SENT) == 8, 30, "delivery after recovery")
    cap, sweep = 2.0, 1.0
    assert took <= cap + sweep + 5.0, f"delivered {took:.1f}s after recovery"  # +5 s: busy host
    time.sleep(1.5)
    assert sorted(smtp.message_ids()) == sorted(f"<outbox-{i}@127.0.0.1>" for i in ids)


def test_redis_killed_under_a_running_worker_and_beat_all_delivered_once(
    app, processes, smtp, redis_server
):  # type: ignore[no-untyped-def]
    import redis

    processes.worker_and_beat()
    smtp.mode, smtp.stall_seconds = "stall", 30  # keeps the worker busy with the first batch
    _queue(3, "a")
    wait_until(lambda: smtp.connections >= 1, 20, "the worker to take the first batch")
    _queue(3, "b")
    _queue(3, "c")
    broker = redis.Redis.from_url(redis_server.url)
    email_queue = queue_names(app.config["PROCESS_ENV"]["CELERY_QUEUE"])["email"]
    assert broker.llen(email_queue) >= 2, "tasks wait in Redis"
    broker.close()
    redis_server.kill()  # pending tasks, and the one the worker holds unacked, are gone
    _queue(3, "d")  # committed while Redis is down
    smtp.mode = "accept"
    redis_server.start()
    took = wait_until(lambda: _count(OutboxStatus.SENT) == 12, 60, "every committed email")
    reconnect, sweep = 10.0, 1.0  # Celery retries the broker after 2 s, 4 s, ...
    assert took <= reconnect + sweep + 5.0, f"all delivered {took:.1f}s after the restart"
    time.sleep(1.5)
    assert len(set(smtp.message_ids())) == 12 and len(smtp.messages) == 12, "each exactly once"
