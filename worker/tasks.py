"""Celery tasks: thin wrappers that load by id, call a service and commit.

Tasks take ids, never objects, and are safe to run twice or at once: a matched meetup is
not matched again (guarded UPDATE), an email is sent only by the worker holding its lease,
and notification emails carry unique de-duplication keys. Emails are published for
delivery by the services' commits themselves (`services.delivery_queue`), never before.
"""

from __future__ import annotations

import logging
from collections import Counter

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus
from webapp.models._time import utcnow
from webapp.services import (
    delivery_queue,
    match_progress,
    match_review,
    match_runs,
    notifications,
    outbox,
)
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)


@shared_task(name="hearth.run_matching_round", acks_late=True)
def run_matching_round(meetup_id: int) -> None:
    """Match one meetup's opted-in members into groups (and queue emails if published),
    reporting progress (`match_runs.run`).

    A worker killed between storing the preview and publishing it would leave an
    automatic meetup unpublished; running the task again finishes the job. At the soft
    time limit (MATCH_SOFT_TIME_LIMIT) the run's transaction is rolled back and the
    meetup stays open for the next scheduled run; the hard limit kills the process, which
    the broker's redelivery and the scheduler's stale claims recover from.
    """
    try:
        match_runs.run(meetup_id)
    except ServiceError as race:  # a concurrent run published this preview first
        db.session.rollback()
        log.info("meetup %s: %s", meetup_id, race.message)
    except SoftTimeLimitExceeded:
        db.session.rollback()
        log.warning("meetup %s: matching hit the soft time limit; left open", meetup_id)
        match_progress.mark(
            meetup_id,
            match_progress.FAILED,
            message="took longer than the time limit; it runs again at the next scheduled run",
        )
        return
    _publish_if_automatic(meetup_id)


def _publish_if_automatic(meetup_id: int) -> None:
    """Publish a previewed meetup whose organizer chose automatic publishing at the deadline."""
    meetup = db.session.get(Meetup, meetup_id)
    if not _auto_publish_due(meetup):
        return
    try:
        match_review.publish(meetup, None)
    except ServiceError:  # another run published it first
        db.session.rollback()


def _auto_publish_due(meetup: Meetup | None) -> bool:
    return (
        meetup is not None
        and meetup.status == MeetupStatus.PREVIEWED
        and bool(getattr(meetup, "auto_publish", False))
        and meetup.optin_deadline <= utcnow()
    )


@shared_task(name="hearth.match_due_meetups")
def match_due_meetups() -> list[int]:
    """Start matching for the next batch (MATCH_BATCH) of open meetups past their opt-in
    deadline that no live run claims, and finish publishing automatic ones a crash left
    as previews; returns the ids queued. Meetups beyond the batch, and any whose task was
    lost, are picked up by the next ticks (`match_runs.start_due`)."""
    stuck = db.session.scalars(
        select(Meetup).where(
            Meetup.status == MeetupStatus.PREVIEWED, Meetup.optin_deadline <= utcnow()
        )
    )
    return match_runs.start_due() + match_runs.queue([m.id for m in stuck if _auto_publish_due(m)])


@shared_task(name="hearth.send_emails")
def send_emails(email_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of outbox rows over one SMTP connection (rows that are sent, not due,
    or held by another worker are skipped); returns how many rows had each outcome."""
    return dict(Counter(o.value for o in outbox.deliver_many(email_ids).values()))


@shared_task(name="hearth.send_email")
def send_email(email_id: int) -> str:
    """Deliver one outbox row (for tasks published before delivery went in batches)."""
    return outbox.deliver(email_id).value


@shared_task(name="hearth.sweep_outbox")
def sweep_outbox() -> int:
    """Queue every due outbox row, so nothing depends on a broker message surviving.

    Rows never tried go out in batches; rows tried before go one per task, so a message
    that crashes its worker every time cannot hold back the rows batched with it (it
    alone runs into its attempt limit).
    """
    fresh, tried = outbox.due_ids(attempted=False), outbox.due_ids(attempted=True)
    if fresh or tried:
        log.info("sweeper queues %s due emails (%s tried before)", len(fresh + tried), len(tried))
    return delivery_queue.publish(fresh) + delivery_queue.publish(tried, batch=1)


@shared_task(name="hearth.send_due_notifications")
def send_due_notifications() -> int:
    """Queue invitations, reminders, feedback requests and "not placed" notices now due."""
    return notifications.queue_due()


@shared_task(name="hearth.refresh_dashboards")
def refresh_dashboards() -> int:
    """Recompute the stalest dashboard snapshots within the tick's time budget."""
    from webapp.services import dashboard

    return dashboard.refresh_due()


@shared_task(name="hearth.train_compat_models")
def train_compat_models() -> list[int]:
    """Queue a training for every community with enough new rated pairs (issue 15;
    `compat_training.due_community_ids`); returns their ids."""
    from webapp.services import compat_training

    due = compat_training.due_community_ids()
    for community_id in due:
        train_compat_model.delay(community_id)
    if due:
        log.info("queued compatibility training for communities %s", due)
    return due


@shared_task(name="hearth.train_compat_model", acks_late=True)
def train_compat_model(community_id: int) -> int | None:
    """Train one community's compatibility model if it is still due; returns the stored
    version (None if not due, or a concurrent training stored it first). Matching keeps
    using the newest stored model meanwhile."""
    from webapp.services import compat_training

    row = compat_training.train_if_due(community_id)
    return None if row is None else row.version
