"""The email pipeline's tables: the outbox, members' email preferences, task attempts.

Every message is an outbox row first, written in the transaction of the change that causes
it; the worker only ever sends what is committed. `TaskAttempt` counts how often a Celery
task started, so a task that keeps killing its worker is quarantined instead of looping.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._time import utcnow


class OutboxStatus(enum.StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(db.Model):
    """One email to one address, delivered by the worker over SMTP."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        Index("ix_outbox_emails_due", "status", "next_attempt_at"),
        # A member's emails about a meetup: each match email counts them for the calendar
        # SEQUENCE (invites.next_sequence); without it, publishing slows as the outbox grows.
        Index("ix_outbox_emails_member_meetup", "member_id", "meetup_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What caused it, e.g. "match", "reminder_day_before"; also the preference it obeys.
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    #: The HTML alternative; empty for plain-text-only mail.
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Display name of the sender (the community's name); empty means MAIL_FROM as is.
    sender_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: An RFC 5545 calendar object sent as text/calendar; empty for none.
    calendar_ics: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: One-click unsubscribe URL (RFC 8058); empty for essential mail.
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    #: "kind:member:meetup"-style key; the database refuses a second email with the same one.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    meetup_id: Mapped[int | None] = mapped_column(ForeignKey("meetups.id", ondelete="SET NULL"))
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(
            OutboxStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: Not to be tried before this time (naive UTC): exponential backoff after a failure.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A worker holds the row until then; nobody else may send it meanwhile.
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class EmailPreference(db.Model):
    """A member switching one kind of non-essential email off (no row: it is on)."""

    __tablename__ = "email_preferences"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    #: One of emails.OPTIONAL_KINDS.
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TaskAttempt(db.Model):
    """How often one Celery task (by its id) started; quarantined past a bound."""

    __tablename__ = "task_attempts"

    task_id: Mapped[str] = mapped_column(String(155), primary_key=True)
    task_name: Mapped[str] = mapped_column(String(200))
    #: JSON-encoded arguments, for the organizer/operator looking at a quarantined task.
    arguments: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    first_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    quarantined_at: Mapped[datetime | None] = mapped_column(index=True)
