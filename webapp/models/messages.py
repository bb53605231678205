"""The email outbox: every message is a row first, written with the change that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
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

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What caused it, e.g. "match", "welcome"; used for metrics and de-duplication.
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
