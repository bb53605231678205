"""Delivering outbox rows over SMTP, at most one worker per row, with backoff on failure.

Rows are written in the transaction of the change that causes them (see `emails`). Their
delivery tasks are published only after that transaction commits (`publish_after_commit`
watches the session), so a rolled-back change never sends anything. A worker claims a row
with a guarded UPDATE (a lease until `claimed_until`) before talking to SMTP, so two
workers never send the same row at the same time. Temporary failures (no connection,
timeouts, 4xx) set `next_attempt_at` with exponential backoff up to a cap; permanent ones
(5xx) mark the row failed at once. The periodic sweeper re-queues every row that is due,
so nothing depends on a broker message surviving.
"""

from __future__ import annotations

import enum
import logging
import smtplib
from datetime import timedelta

from flask import current_app
from sqlalchemy import Row, or_, select, text, update

from webapp.extensions import db
from webapp.models import Meetup
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail, OutboxStatus
from webapp.services.email_format import SMTP_POLICY, build_message, envelope_sender

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    """What one delivery attempt did."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due, already sent, or another worker holds it


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Delay before the next try after `attempts` failed ones: base * 2^(n-1), capped."""
    if attempts <= 0:
        return 0.0
    return min(cap, base * 2 ** min(attempts - 1, 40))


def _relaxed_durability() -> None:
    """Let this transaction's commit return before its WAL is flushed (PostgreSQL only).

    Safe here: other workers see the change at once, and all a database *crash* can lose
    is the last fraction of a second of claims and marks, i.e. an email sent once more
    with the same Message-ID, which the pipeline allows anyway. It halves the time a
    worker spends per email on a busy disk.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def claim(email_id: int) -> Row | None:
    """Take the lease on a due row (committed) and return it, or None if not ours to send."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    _relaxed_durability()
    row = db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == email_id,
            OutboxEmail.status == OutboxStatus.PENDING,
            OutboxEmail.next_attempt_at <= now,
            or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        )
        .values(claimed_until=now + lease, attempts=OutboxEmail.attempts + 1)
        .returning(*OutboxEmail.__table__.columns)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    return row


def deliver(email_id: int) -> Outcome:
    """Try to send one row now; safe to call any number of times, from any worker."""
    email = claim(email_id)
    if email is None:
        return Outcome.SKIPPED
    config = current_app.config
    if email.attempts > config["OUTBOX_MAX_ATTEMPTS"]:
        return _finish(email, Outcome.FAILED, f"gave up after {email.attempts - 1} attempts")
    try:
        message = build_message(email)
        with smtplib.SMTP(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        ) as smtp:
            if config["SMTP_TLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.sendmail(
                envelope_sender(), [email.to_address], message.as_bytes(policy=SMTP_POLICY)
            )
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        outcome = Outcome.FAILED if is_permanent(exc) else Outcome.RETRY
        return _finish(email, outcome, error)
    return _finish(email, Outcome.SENT, "")


def is_permanent(exc: Exception) -> bool:
    """True for a 5xx answer (the server will never take this message); else retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _finish(email: Row, outcome: Outcome, error: str) -> Outcome:
    """Record the attempt's outcome and release the lease (one UPDATE, one commit)."""
    config = current_app.config
    values: dict[str, object] = {"claimed_until": None, "last_error": error}
    if outcome is Outcome.SENT:
        values.update(status=OutboxStatus.SENT, sent_at=utcnow())
        log.info("email %s sent (%s, attempt %s)", email.id, email.kind, email.attempts)
    elif outcome is Outcome.FAILED:
        values.update(status=OutboxStatus.FAILED)
        log.warning("email %s failed permanently: %s", email.id, error)
    else:
        delay = backoff_seconds(
            email.attempts, config["OUTBOX_RETRY_BASE_SECONDS"], config["OUTBOX_RETRY_CAP_SECONDS"]
        )
        values.update(next_attempt_at=utcnow() + timedelta(seconds=delay))
        log.warning("email %s not delivered yet, retry in %.1fs: %s", email.id, delay, error)
    _relaxed_durability()
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return outcome


def due_ids(limit: int | None = None) -> list[int]:
    """Pending rows that may be tried now and that no worker holds, oldest due first."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(OutboxEmail.id)
            .where(
                OutboxEmail.status == OutboxStatus.PENDING,
                OutboxEmail.next_attempt_at <= now,
                or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
            )
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(limit or current_app.config["OUTBOX_SWEEP_BATCH"])
        )
    )


def pending_ids(limit: int = 500) -> list[int]:
    """Ids of rows still waiting to be sent (due or not), oldest first."""
    return list(
        db.session.scalars(
            select(OutboxEmail.id)
            .where(OutboxEmail.status == OutboxStatus.PENDING)
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    )


def failed_emails(community_id: int, limit: int = 100) -> list[OutboxEmail]:
    """Emails about a community's meetups that could not be delivered, newest first.

    For the organizer pages: each row has `to_address`, `kind`, `subject`, `last_error`.
    """
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .join(Meetup, Meetup.id == OutboxEmail.meetup_id)
            .where(Meetup.community_id == community_id, OutboxEmail.status == OutboxStatus.FAILED)
            .order_by(OutboxEmail.id.desc())
            .limit(limit)
        )
    )
