"""Fan-out at the deadline (issue 16): the scheduler queues due meetups in bounded
batches, never one that a live run claims, picks up a meetup whose task was lost once its
claim is stale, and with two workers and duplicate deliveries every meetup is matched once."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import select

from tests.services import wait_until
from tests.worker.scale_helpers import drain, due_meetup
from webapp.extensions import db
from webapp.models import AuditEntry, GroupMember, Meetup, MeetupStatus
from webapp.models.messages import OutboxEmail
from webapp.services import match_progress


def _tick():  # type: ignore[no-untyped-def]
    """One beat tick of the "match due meetups" task, run here as beat's worker would."""
    from worker.tasks import match_due_meetups

    return match_due_meetups.run()


def _queued(broker_url: str) -> list[int]:
    taken = drain(broker_url, "matching")
    assert {task for task, _ in taken} <= {"hearth.run_matching_round"}
    return [args[0] for _, args in taken]


def test_each_tick_queues_at_most_a_batch_and_never_a_claimed_meetup(app, broker_url):  # type: ignore[no-untyped-def]
    drain(broker_url, "matching")
    app.config["MATCH_BATCH"] = 2
    due = [due_meetup(f"Place {n}", 3, first=10 * n) for n in range(5)]
    assert _tick() == due[:2] and _queued(broker_url) == due[:2]
    assert _tick() == due[2:4], "the claimed ones wait; the next batch goes"
    assert _tick() == due[4:]
    assert _tick() == [], "every due meetup is claimed"
    assert sorted(_queued(broker_url)) == due[2:]
    states = {m: match_progress.progress_of(m).state for m in due}
    assert set(states.values()) == {"queued"}


def test_a_meetup_whose_task_was_lost_is_queued_again_once_its_claim_is_stale(app, broker_url):  # type: ignore[no-untyped-def]
    drain(broker_url, "matching")
    app.config["MATCH_CLAIM_SECONDS"] = 2
    lost = due_meetup("Lost Task", 3)
    claimed_at = time.monotonic()
    assert _tick() == [lost]
    assert _tick() == [], "claimed: not queued twice while it may still run"
    assert _queued(broker_url) == [lost], "the broker loses it: drained, never run"
    time.sleep(max(0.0, claimed_at + 2.1 - time.monotonic()))
    assert _tick() == [lost], "the next tick after the claim went stale queues it again"
    assert _queued(broker_url) == [lost]
    match_progress.mark(lost, match_progress.FAILED, message="soft time limit")
    assert _tick() == [lost], "a failed run is not a claim: the next tick retries it"
    drain(broker_url, "matching")


def test_two_workers_and_duplicate_tasks_match_every_meetup_once(app, celery_workers):  # type: ignore[no-untyped-def]
    from webapp.services import match_runs

    workers = celery_workers("matching", "matching", env={"MATCH_TIME_LIMIT": "0.3"})
    due = [due_meetup(f"Place {n}", 6, first=10 * n, auto=n % 2 == 0) for n in range(4)]
    queued = _tick()
    assert queued == due
    match_runs.queue(due + due)  # every meetup delivered twice more, as after a redelivery
    wait_until(
        lambda: all(db.session.get(Meetup, m).status != MeetupStatus.OPEN for m in due),
        40,
        "every meetup matched",
    )
    time.sleep(1.5)  # let the duplicates run out (each a no-op)
    db.session.rollback()
    previews = Counter(
        db.session.scalars(
            select(AuditEntry.community_id).where(AuditEntry.action == "matching.previewed")
        )
    )
    places = [db.session.get(Meetup, m).community_id for m in due]  # one meetup per place
    assert previews == Counter(places), "one preview per meetup"
    for meetup_id in due:
        seats = db.session.scalars(
            select(GroupMember.member_id).where(GroupMember.meetup_id == meetup_id)
        ).all()
        assert len(seats) == len(set(seats)) == 6, "everyone placed once"
        meetup = db.session.get(Meetup, meetup_id)
        matched = MeetupStatus.MATCHED if meetup.auto_publish else MeetupStatus.PREVIEWED
        assert meetup.status == matched
        if meetup.auto_publish:  # published once: one match email per member
            told = db.session.scalars(
                select(OutboxEmail.member_id).where(
                    OutboxEmail.kind == "match", OutboxEmail.member_id.in_(seats)
                )
            ).all()
            assert sorted(told) == sorted(seats)
    logs = "".join(w.log_path.read_text() for w in workers)
    assert logs.count("hearth.run_matching_round[") >= 2 * 3 * len(due), "all 12 ran"
    assert logs.count("succeeded in") >= 3 * len(due), "the duplicates ran as no-ops"
