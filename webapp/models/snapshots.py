"""Stored dashboard figures, so the organizer dashboard reads one row instead of history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._time import utcnow


class DashboardSnapshot(db.Model):
    """The latest computed metrics of one community (see services/dashboard.py)."""

    __tablename__ = "dashboard_snapshots"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Every series and figure the dashboard shows, as plain JSON.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
