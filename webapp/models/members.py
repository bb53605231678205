"""Member accounts, their interests and their weekly availability."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow

#: Parts of the day a member can mark as free, with the local hours each covers.
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (6, 12),
    "afternoon": (12, 17),
    "evening": (17, 24),
}

member_interests = Table(
    "member_interests",
    db.metadata,
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "interest_id", Integer, ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Member(UserMixin, db.Model):
    """A person with an account; roles in communities live on Membership."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased, unique login address; never shown to other members.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: The name other members see (first name or nickname).
    display_name: Mapped[str] = mapped_column(String(80))
    #: "What I'd love to talk about": free text, also used for matching.
    about: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interests: Mapped[list[Interest]] = relationship(
        secondary=member_interests, order_by="Interest.name"
    )
    availability: Mapped[list[Availability]] = relationship(
        cascade="all, delete-orphan", order_by="(Availability.weekday, Availability.part)"
    )
    memberships = relationship("Membership", back_populates="member", cascade="all, delete-orphan")

    @property
    def first_name(self) -> str:
        """The first word of the display name: all that other group members see."""
        return self.display_name.split()[0] if self.display_name.strip() else "Someone"


class Interest(db.Model):
    """An interest tag, stored normalised (lower case, single spaces)."""

    __tablename__ = "interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Availability(db.Model):
    """One weekly window a member can usually make: a weekday and a part of the day."""

    __tablename__ = "availability"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    #: 0 = Monday ... 6 = Sunday.
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: One of PARTS_OF_DAY.
    part: Mapped[str] = mapped_column(String(10), primary_key=True)
