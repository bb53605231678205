"""Running a meetup's match on a worker, with progress, and starting due ones in batches.

`run` is a meetup's match (the matching task's, and `matching.run_matching_round`'s): build
the instance, solve, store the preview behind the guarded UPDATE that only one run can win,
publish automatic meetups past their deadline, with each step reported to
`match_progress` and the engine's search reporting its best score as it goes. Everything
the run writes is in one transaction, so a run stopped half-way (a soft time limit, a
crash) leaves the meetup open for the next run and nothing half-written.

`start_due` is the scheduler's fan-out: each tick queues at most `MATCH_BATCH` due
meetups, skipping those claimed (queued or running, updated within
`MATCH_CLAIM_SECONDS`), so a deadline hour of thousands of meetups enters the queue in
bounded batches, and a meetup whose task was lost (or whose worker died) is queued again
once its claim is stale. Running twice is harmless: the guarded UPDATE makes the second
run a no-op.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import or_, select, update

from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus
from webapp.models._time import utcnow
from webapp.models.meetups import MatchProgress
from webapp.services import audit, match_progress, match_store, matching

log = logging.getLogger(__name__)

#: The matching task, by its explicit name (worker/tasks.py).
TASK = "hearth.run_matching_round"


def run(meetup_id: int, *, notify: bool = True) -> list[int]:
    """Match an open meetup into a preview, reporting progress; return queued email ids.

    Does nothing for a meetup that is not open (matched by an earlier run already).
    Any error marks the run failed and is raised again; its transaction is rolled back.
    """
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None or meetup.status != MeetupStatus.OPEN:
        return []
    try:
        match_progress.mark(meetup_id, match_progress.BUILDING)
        instance = matching.build_instance(meetup)
        limit = matching.search_seconds(len(instance["members"]), rush=matching.in_rush())
        match_progress.mark(meetup_id, match_progress.SEARCHING, seconds=0.0, limit=limit)
        progress = match_progress.searching(meetup.id, limit)
        result = matching.solve_for(meetup, instance, progress, limit)
        match_progress.mark(
            meetup_id, match_progress.STORING, best_score=result["objective"], limit=limit
        )
        won = _store(meetup, result)
    except Exception as error:
        db.session.rollback()
        match_progress.mark(meetup_id, match_progress.FAILED, message=type(error).__name__)
        raise
    if not won:  # another run stored its preview first
        return []
    match_progress.mark(
        meetup_id,
        match_progress.DONE,
        best_score=result["objective"],
        seconds=result.get("seconds"),
        limit=limit,
    )
    if meetup.auto_publish and meetup.optin_deadline <= utcnow():
        from webapp.services.match_review import publish

        return publish(meetup, None, notify=notify)
    return []


def _store(meetup: Meetup, result: dict) -> bool:
    """Store the preview if this run wins the guarded UPDATE (open -> previewed); commit."""
    won = db.session.execute(
        update(Meetup)
        .where(Meetup.id == meetup.id, Meetup.status == MeetupStatus.OPEN)
        .values(status=MeetupStatus.PREVIEWED, matched_at=utcnow(), match_version=1)
    ).rowcount
    if not won:
        db.session.rollback()
        return False
    db.session.refresh(meetup)
    match_store.store_result(meetup, result)
    audit.record(
        meetup.community_id,
        None,
        "matching.previewed",
        f"Matched {meetup.title}: {len(result['groups'])} groups, {result['placed']} placed, "
        f"{len(result['unmatched'])} unmatched (preview, nothing sent)",
        meetup_id=meetup.id,
    )
    db.session.commit()
    log.info(
        "meetup %s previewed: %s groups, %s placed, %s unmatched",
        meetup.id,
        len(result["groups"]),
        result["placed"],
        len(result["unmatched"]),
    )
    return True


def due_batch(limit: int) -> list[int]:
    """Up to `limit` open meetups past their deadline that no live run claims, oldest
    deadline first."""
    return list(
        db.session.scalars(
            select(Meetup.id)
            .outerjoin(MatchProgress, MatchProgress.meetup_id == Meetup.id)
            .where(
                Meetup.status == MeetupStatus.OPEN,
                Meetup.optin_deadline <= utcnow(),
                or_(
                    MatchProgress.meetup_id.is_(None),
                    MatchProgress.state.not_in(match_progress.ACTIVE),
                    MatchProgress.updated_at < match_progress.claim_cutoff(),
                ),
            )
            .order_by(Meetup.optin_deadline, Meetup.id)
            .limit(limit)
        )
    )


def start_due() -> list[int]:
    """Claim and queue the next batch of due meetups; return the ids queued."""
    batch = due_batch(current_app.config["MATCH_BATCH"])
    match_progress.claim(batch)
    queued = queue(batch)
    match_progress.release(batch[len(queued) :])
    if batch:
        log.info("queued matching for %s due meetups", len(queued))
    return queued


def queue(meetup_ids: list[int]) -> list[int]:
    """Publish a matching task per meetup over one broker connection; return those that
    made it (a broker failure is logged; the caller releases the rest's claims)."""
    celery = current_app.extensions["celery"]
    sent: list[int] = []
    try:
        with celery.producer_or_acquire() as producer:
            for meetup_id in meetup_ids:
                celery.send_task(TASK, args=[meetup_id], producer=producer)
                sent.append(meetup_id)
    except Exception as exc:  # noqa: BLE001 (any broker failure: a later tick retries)
        log.warning(
            "could not queue matching for %s meetups (%s)", len(meetup_ids) - len(sent), exc
        )
    return sent
