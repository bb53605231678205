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
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus
from webapp.models._time import utcnow
from webapp.services import delivery_queue, match_review, matching, notifications, outbox
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)


@shared_task(name="hearth.run_matching_round")
def run_matching_round(meetup_id: int) -> None:
    """Match one meetup's opted-in members into groups (and queue emails if published).

    A worker killed between storing the preview and publishing it would leave an
    automatic meetup unpublished; running the task again finishes the job.
    """
    try:
        matching.run_matching_round(meetup_id)
    except ServiceError as race:  # a concurrent run published this preview first
        db.session.rollback()
        log.info("meetup %s: %s", meetup_id, race.message)
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
def match_due_meetups() -> None:
    """Start matching for every open meetup whose opt-in deadline has passed (and finish
    publishing automatic ones a crash left as previews)."""
    stuck = db.session.scalars(
        select(Meetup).where(
            Meetup.status == MeetupStatus.PREVIEWED, Meetup.optin_deadline <= utcnow()
        )
    )
    for meetup_id in matching.due_meetup_ids() + [m.id for m in stuck if _auto_publish_due(m)]:
        run_matching_round.delay(meetup_id)


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
    """Recompute every community's dashboard snapshot (added by the organizer tools)."""
    from webapp.services import dashboard

    return dashboard.refresh_all()
