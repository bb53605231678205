"""Delivering outbox rows over SMTP, at most one worker per row, with backoff on failure.

Rows are written in the transaction of the change that causes them (see `emails`). Their
delivery tasks (one per batch of rows) are published only after that transaction commits
(`delivery_queue` watches the session), so a rolled-back change never sends anything. A
worker claims the rows with one guarded UPDATE (a lease until `claimed_until`) before
talking to SMTP, so two workers never send the same row at the same time, then sends them
over one SMTP connection and marks each as soon as the server answered it. Temporary
failures (no connection, timeouts, 4xx) set `next_attempt_at` with exponential backoff up
to a cap; permanent ones (5xx) mark the row failed at once. The periodic sweeper re-queues
every row that is due, so nothing depends on a broker message surviving.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import time
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import Row, Update, func, or_, select, update

from webapp.extensions import db
from webapp.models import Meetup
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail, OutboxStatus
from webapp.services import delivery_queue
from webapp.services.email_format import SMTP_POLICY, build_message, envelope_sender
from webapp.services.smtp_session import SmtpSession, UnavailableError

log = logging.getLogger(__name__)

#: The table itself: updates through Core skip the ORM's bookkeeping (none is needed).
_TABLE = OutboxEmail.__table__


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


def _relaxed(statement: Update) -> Update:
    """The statement, made to let its transaction's commit return before the WAL is
    flushed (PostgreSQL only; elsewhere it is returned as it is).

    Safe here: other workers see the change at once, and all a database *crash* can lose
    is the last fraction of a second of claims and marks, i.e. an email sent once more
    with the same Message-ID, which the pipeline allows anyway. It halves the time a
    worker spends per email on a busy disk. The setting rides in the statement itself
    (`set_config(..., is_local => true)` is `SET LOCAL`, evaluated once as an InitPlan)
    rather than in a `SET LOCAL` of its own: one round trip per email fewer.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return statement
    relax = select(func.set_config("synchronous_commit", "off", True)).scalar_subquery()
    return statement.where(relax.is_not(None))


def claim_many(email_ids: Iterable[int]) -> list[Row]:
    """Take the lease on every due, unheld row among `email_ids` (one committed UPDATE).

    Returns the claimed rows by id. Rows another transaction is claiming right now are
    skipped rather than waited for (`SKIP LOCKED`), so two workers never block each other.
    """
    ids = sorted(set(email_ids))
    if not ids:
        return []
    now = utcnow()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    free = (
        select(OutboxEmail.id)
        .where(
            OutboxEmail.id.in_(ids),
            OutboxEmail.status == OutboxStatus.PENDING,
            OutboxEmail.next_attempt_at <= now,
            or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        )
        .with_for_update(skip_locked=True)
    )
    rows = db.session.execute(
        _relaxed(
            update(_TABLE)
            .where(_TABLE.c.id.in_(free.scalar_subquery()))
            .values(claimed_until=now + lease, attempts=_TABLE.c.attempts + 1)
            .returning(*_TABLE.columns)
        )
    ).all()
    db.session.commit()
    return sorted(rows, key=lambda row: row.id)


def claim(email_id: int) -> Row | None:
    """Take the lease on one due row (committed) and return it, or None if not ours."""
    rows = claim_many([email_id])
    return rows[0] if rows else None


def deliver(email_id: int) -> Outcome:
    """Try to send one row now; safe to call any number of times, from any worker."""
    return deliver_many([email_id])[email_id]


def deliver_many(email_ids: Iterable[int]) -> dict[int, Outcome]:
    """Try to send these rows now over one SMTP connection; each row's outcome by id.

    Each row is marked right after the server's answer to it, so a crash re-sends at most
    the message in flight (with the same Message-ID). If the connection cannot be opened
    or breaks twice in a row, the rest of the batch is retried later with backoff rather than
    waiting for timeouts one by one. Rows not started within half the lease are handed
    back and queued again (or, after a broken connection, retried later), so a lease never
    runs out while its worker still sends.
    """
    ids = sorted(set(email_ids))
    outcomes = dict.fromkeys(ids, Outcome.SKIPPED)
    rows = claim_many(ids)
    config = current_app.config
    give_back_at = time.monotonic() + config["OUTBOX_LEASE_SECONDS"] / 2
    error = ""
    with SmtpSession(config) as smtp:
        for n, email in enumerate(rows):
            out_of_time = time.monotonic() > give_back_at
            if smtp.breakdowns >= 2 or (out_of_time and smtp.breakdowns):
                for rest in rows[n:]:  # the server is in trouble: everyone backs off
                    outcomes[rest.id] = _finish(rest, Outcome.RETRY, f"not tried: {error}")
                break
            if out_of_time:  # merely slow: someone else may go on at once
                _give_back(rows[n:])
                break
            outcomes[email.id], failure = _attempt(email, smtp)
            error = failure or error
    return outcomes


def _attempt(email: Row, smtp: SmtpSession) -> tuple[Outcome, str]:
    """Send one claimed row on the batch's connection and record the outcome."""
    if email.attempts > current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        return _finish(email, Outcome.FAILED, f"gave up after {email.attempts - 1} attempts"), ""
    try:
        data = build_message(email).as_bytes(policy=SMTP_POLICY)
        smtp.send(envelope_sender(), email.to_address, data)
    except (OSError, UnavailableError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        outcome = Outcome.FAILED if is_permanent(exc) else Outcome.RETRY
        return _finish(email, outcome, error), error
    return _finish(email, Outcome.SENT, ""), ""


def is_permanent(exc: Exception) -> bool:
    """True for a 5xx answer to a message (the server will never take it); else retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False  # no connection, timeouts, and a server refusing a session: try again


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
    db.session.execute(_relaxed(update(_TABLE).where(_TABLE.c.id == email.id).values(**values)))
    db.session.commit()
    return outcome


def _give_back(rows: list[Row]) -> None:
    """Release claimed rows that were not tried (the attempt does not count); queue them."""
    ids = [row.id for row in rows]
    db.session.execute(
        update(_TABLE)
        .where(_TABLE.c.id.in_(ids))
        .values(claimed_until=None, attempts=_TABLE.c.attempts - 1)
    )
    db.session.commit()
    log.info("handing back %s emails not started within half their lease", len(ids))
    delivery_queue.publish(ids)


def due_ids(limit: int | None = None, *, attempted: bool | None = None) -> list[int]:
    """Pending rows that may be tried now and that no worker holds, oldest due first.

    `attempted` narrows them to rows tried before (True) or never tried (False).
    """
    now = utcnow()
    query = select(OutboxEmail.id).where(
        OutboxEmail.status == OutboxStatus.PENDING,
        OutboxEmail.next_attempt_at <= now,
        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
    )
    if attempted is not None:
        query = query.where((OutboxEmail.attempts > 0) if attempted else OutboxEmail.attempts == 0)
    return list(
        db.session.scalars(
            query.order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(
                limit or current_app.config["OUTBOX_SWEEP_BATCH"]
            )
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
