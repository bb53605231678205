"""Celery tasks: thin wrappers that load by id, call a service and commit.

Tasks take ids, never objects, and are safe to run twice: the services they call are
idempotent (a matched meetup is not matched again; a sent email is not sent again).
"""

from __future__ import annotations

import logging

from celery import shared_task

from webapp.services import matching, outbox

log = logging.getLogger(__name__)


@shared_task(name="hearth.run_matching_round")
def run_matching_round(meetup_id: int) -> None:
    """Match one meetup's opted-in members into groups and queue their emails."""
    email_ids = matching.run_matching_round(meetup_id)
    for email_id in email_ids:
        send_email.delay(email_id)


@shared_task(name="hearth.match_due_meetups")
def match_due_meetups() -> None:
    """Start matching for every open meetup whose opt-in deadline has passed."""
    for meetup_id in matching.due_meetup_ids():
        run_matching_round.delay(meetup_id)


@shared_task(name="hearth.send_email")
def send_email(email_id: int) -> None:
    """Deliver one outbox row over SMTP (a no-op if it was already sent)."""
    outbox.deliver(email_id)


@shared_task(name="hearth.sweep_outbox")
def sweep_outbox() -> None:
    """Queue every pending outbox row, so nothing depends on a broker message surviving."""
    for email_id in outbox.pending_ids():
        send_email.delay(email_id)
