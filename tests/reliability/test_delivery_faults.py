"""Email delivery under faults, with real workers, beat, Redis and SMTP processes."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from sqlalchemy import func, select

from tests.reliability.conftest import wait_until
from tests.worker import factories
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


def test_sigkill_after_smtp_accepted_resends_once_with_the_same_message_id(app, processes, smtp):  # type: ignore[no-untyped-def]
    worker = processes.worker_and_beat()
    killed: list[int] = []

    def kill_worker_once() -> None:  # the message is accepted; its row is not marked yet
        if not killed:
            killed.append(worker.pid)
            os.kill(worker.pid, signal.SIGKILL)

    smtp.on_quit = kill_worker_once
    ids = _queue(5)
    wait_until(lambda: killed, 30, "the first accepted message")
    worker.wait()
    smtp.on_quit = None
    processes.worker()
    wait_until(lambda: _count(OutboxStatus.SENT) == 5, 60, "every row to be marked sent")
    time.sleep(1.5)  # a further duplicate would have arrived by now
    counts = Counter(smtp.message_ids())
    assert set(counts) == {f"<outbox-{i}@127.0.0.1>" for i in ids}, "no message lost"
    assert sorted(counts.values()) == [1, 1, 1, 1, 2], "only the interrupted one, and once"


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
