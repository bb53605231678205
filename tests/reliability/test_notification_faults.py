"""Two notification runs at the same moment (two beats, or a slow run overlapping the next):
each member still gets one email of a kind per meetup.

The test holds a SHARE lock on the outbox table, so both runs provably pass their "already
queued?" check and wait at their INSERTs; the unique de-duplication key decides, the loser
rolls back its step.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, text

from tests.reliability.conftest import wait_until
from tests.worker import factories
from webapp.extensions import db
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail, OutboxStatus


def _inserts_waiting_on_a_lock() -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO outbox_emails%'"
            )
        ).scalar_one()


def test_two_notification_runs_at_once_queue_each_email_once(app, processes, smtp):  # type: ignore[no-untyped-def]
    round_, _group, people = factories.published_round(
        size=3, starts_at=utcnow().replace(microsecond=0) - timedelta(hours=4)
    )  # over: a feedback request is due for each of the three
    db.session.commit()
    workers = [processes.worker(wait=False), processes.worker(wait=False)]
    processes.wait_ready(*workers)
    with db.engine.connect() as conn:
        conn.execute(text("LOCK TABLE outbox_emails IN SHARE MODE"))
        for _ in workers:
            app.extensions["celery"].send_task("hearth.send_due_notifications")
        wait_until(lambda: _inserts_waiting_on_a_lock() == 2, 60, "both runs to reach INSERT")
        conn.rollback()
    wait_until(
        lambda: all(w.log_path.read_text().count("succeeded") >= 1 for w in workers),
        60,
        "both runs to finish",
    )
    rows = db.session.execute(
        select(OutboxEmail.kind, OutboxEmail.member_id, OutboxEmail.meetup_id)
    ).all()
    assert Counter(rows) == {("feedback_request", p.id, round_.id): 1 for p in people}
    logs = "".join(w.log_path.read_text() for w in workers)
    assert "notifications raced with another run" in logs, "the race really happened"
    assert "Traceback" not in logs, logs[logs.find("Traceback") - 300 :][:3000]
    wait_until(
        lambda: (
            db.session.scalar(
                select(db.func.count()).where(OutboxEmail.status == OutboxStatus.SENT)
            )
            == 3
        ),
        30,
        "the three emails",
    )
    time.sleep(1)
    assert sorted(m["To"] for m in smtp.messages) == sorted(p.email for p in people)
