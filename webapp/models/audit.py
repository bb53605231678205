"""The organizers' audit log: who did what in a community, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow


class AuditEntry(db.Model):
    """One thing an organizer did (or the scheduler did on their behalf)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Who did it; None when the scheduler acted (e.g. matching at the deadline).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: A short verb phrase such as "meetup.published"; stable, for filtering.
    action: Mapped[str] = mapped_column(String(60))
    #: A sentence a person can read, e.g. "Moved Ada to group 2".
    summary: Mapped[str] = mapped_column(String(500))
    #: Ids and values behind the summary, for whoever investigates later.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("Member")
