"""Matching under faults: a worker SIGKILLed mid-run, the same task delivered twice at once.

The test holds a lock on the meetup row, so each worker is provably inside its matching
transaction (blocked at the guarded UPDATE that decides who wins) when the fault happens.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, select, text

from tests.reliability.conftest import wait_until
from tests.worker import factories
from webapp.extensions import db
from webapp.models import GroupMember, Meetup, MeetupStatus, OptIn
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail, OutboxStatus

MEMBERS = 12


def _due_meetup() -> int:
    """An automatic meetup past its deadline with MEMBERS opted-in members."""
    place = factories.community()
    people = [factories.member(place, n) for n in range(MEMBERS)]
    round_ = factories.meetup(place, deadline=utcnow() - timedelta(minutes=1))
    round_.auto_publish = True
    for person in people:
        db.session.add(OptIn(meetup_id=round_.id, member_id=person.id))
    db.session.commit()
    return round_.id


@contextmanager
def _meetup_locked(meetup_id: int) -> Iterator[None]:
    """Hold the meetup row's lock in a connection of our own until the block ends."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT id FROM meetups WHERE id = :id FOR UPDATE"), {"id": meetup_id})
        try:
            yield
        finally:
            conn.rollback()


def _runs_waiting_on_the_lock() -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'UPDATE meetups%'"
            )
        ).scalar_one()


def _assert_one_complete_set(meetup_id: int, smtp) -> None:  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, meetup_id)
    assert meetup.status == MeetupStatus.MATCHED
    seats = db.session.scalars(
        select(GroupMember.member_id).where(GroupMember.meetup_id == meetup_id)
    ).all()
    assert len(seats) == MEMBERS and len(set(seats)) == MEMBERS, "everyone once, nobody twice"
    assert {g.id for g in meetup.groups} == set(
        db.session.scalars(select(GroupMember.group_id).where(GroupMember.meetup_id == meetup_id))
    ), "no empty or orphan groups"
    queued = db.session.scalars(select(OutboxEmail.member_id).where(OutboxEmail.kind == "match"))
    assert Counter(queued) == Counter(seats), "one match email per placed member"
    messages = smtp.wait_for(MEMBERS, timeout=30)
    time.sleep(1)  # give a duplicate the chance to show up
    assert sorted(m["To"] for m in smtp.messages) == sorted(m["To"] for m in messages)
    assert len(smtp.messages) == MEMBERS


def test_sigkill_mid_matching_run_then_a_new_worker_matches_once(app, processes, smtp):  # type: ignore[no-untyped-def]
    meetup_id = _due_meetup()
    with _meetup_locked(meetup_id):
        first = processes.worker()
        app.extensions["celery"].send_task("hearth.run_matching_round", args=[meetup_id])
        wait_until(lambda: _runs_waiting_on_the_lock() == 1, 60, "the run to reach its commit")
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert db.session.get(Meetup, meetup_id).status == MeetupStatus.OPEN, "nothing half-written"
    assert db.session.scalar(select(func.count()).select_from(GroupMember)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0

    processes.worker()  # the unacknowledged task comes back after the visibility timeout
    wait_until(
        lambda: (
            db.session.scalar(select(func.count()).where(OutboxEmail.status == OutboxStatus.SENT))
            == MEMBERS
        ),
        60,
        "the new worker to match and send",
    )
    _assert_one_complete_set(meetup_id, smtp)


def test_the_same_matching_task_twice_at_once_one_wins(app, processes, smtp):  # type: ignore[no-untyped-def]
    meetup_id = _due_meetup()
    with _meetup_locked(meetup_id):  # released below: both go at once, the first UPDATE wins
        workers = [processes.worker(wait=False), processes.worker(wait=False)]
        processes.wait_ready(*workers)
        celery = app.extensions["celery"]
        for _ in workers:
            celery.send_task("hearth.run_matching_round", args=[meetup_id])
        wait_until(lambda: _runs_waiting_on_the_lock() == 2, 90, "both runs to reach the commit")
    wait_until(
        lambda: all(w.log_path.read_text().count("succeeded") >= 1 for w in workers),
        60,
        "both runs to finish",
    )
    _assert_one_complete_set(meetup_id, smtp)
    logs = "".join(w.log_path.read_text() for w in workers)
    assert logs.count("previewed:") == 1, "exactly one run stored groups"
    assert "Traceback" not in logs, logs[logs.find("Traceback") - 300 :][:3000]
