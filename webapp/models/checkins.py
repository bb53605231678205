"""The optional loneliness check-in: a member's own dated trend, and anonymous aggregates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._time import utcnow


class LonelinessCheckin(db.Model):
    """Three UCLA-3-style answers, each 1 (hardly ever) to 3 (often), on one date.

    `member_id` becomes None when the member deletes their account, so the answer still
    counts in anonymous aggregates but belongs to nobody.
    """

    __tablename__ = "loneliness_checkins"
    __table_args__ = (
        CheckConstraint("lack_companionship BETWEEN 1 AND 3", name="companionship_range"),
        CheckConstraint("left_out BETWEEN 1 AND 3", name="left_out_range"),
        CheckConstraint("isolated BETWEEN 1 AND 3", name="isolated_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    #: "How often do you feel that you lack companionship?"
    lack_companionship: Mapped[int]
    #: "How often do you feel left out?"
    left_out: Mapped[int]
    #: "How often do you feel isolated from others?"
    isolated: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def score(self) -> int:
        """The sum of the three answers: 3 (least lonely) to 9 (most)."""
        return self.lack_companionship + self.left_out + self.isolated
