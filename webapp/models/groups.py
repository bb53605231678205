"""Matched groups, who is in them, and what members said afterwards."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow


class Group(db.Model):
    """A small group of members meeting at one slot of a meetup."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("meetup_slots.id"))
    #: The group's total pair weight, as the matching engine scored it.
    score: Mapped[float] = mapped_column(default=0.0)
    #: What the group shares (interest names), for emails and pages.
    why: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meetup = relationship("Meetup", back_populates="groups")
    slot = relationship("MeetupSlot")
    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.id"
    )


class Rsvp(enum.StrEnum):
    """A member's answer to their group: not yet, "I'm in", or "Can't make it"."""

    PENDING = "pending"
    GOING = "going"
    CANT = "cant"


class GroupMember(db.Model):
    """A member's seat in a group; at most one group per member per meetup."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("meetup_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    #: Copied from the group so the database itself enforces one group per meetup.
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    #: "I'm in" / "Can't make it"; a "cant" seat stays as history but frees the place.
    rsvp: Mapped[Rsvp] = mapped_column(
        Enum(Rsvp, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Rsvp.PENDING,
        server_default="pending",
    )
    #: When the member last answered (naive UTC).
    rsvp_at: Mapped[datetime | None]
    #: True if the member was pulled in from the standby list after someone cancelled.
    from_standby: Mapped[bool] = mapped_column(default=False, server_default="0")

    group = relationship("Group", back_populates="members")
    member = relationship("Member")


class PairChoice(enum.StrEnum):
    """What one member said about another after meeting them."""

    AGAIN = "again"
    NOT_FOR_ME = "not_for_me"


class PairFeedback(db.Model):
    """One member's private verdict on another after a meetup: the pair history."""

    __tablename__ = "pair_feedback"
    __table_args__ = (
        UniqueConstraint("meetup_id", "rater_id", "ratee_id"),
        CheckConstraint("rater_id <> ratee_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    ratee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    choice: Mapped[PairChoice] = mapped_column(
        Enum(
            PairChoice, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetupFeedback(db.Model):
    """A member's private feedback on a meetup as a whole."""

    __tablename__ = "meetup_feedback"
    __table_args__ = (
        UniqueConstraint("meetup_id", "member_id"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    attended: Mapped[bool] = mapped_column(default=True)
    rating: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
