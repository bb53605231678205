"""Meetups: their time slots, venues and the members who opted in."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow


class MeetupStatus(enum.StrEnum):
    """Where a meetup is in its life: open for opt-ins, then matched."""

    OPEN = "open"
    MATCHED = "matched"


class Venue(db.Model):
    """A place a community meets, with how many people it seats."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    #: Seats for this community's meetups; caps the members placed in one slot.
    capacity: Mapped[int] = mapped_column(default=30)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")


class Meetup(db.Model):
    """One round of small-group meetups in a community."""

    __tablename__ = "meetups"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    #: Naive UTC; matching runs automatically once it has passed.
    optin_deadline: Mapped[datetime]
    group_min: Mapped[int] = mapped_column(default=3)
    group_max: Mapped[int] = mapped_column(default=6)
    status: Mapped[MeetupStatus] = mapped_column(
        Enum(
            MeetupStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=MeetupStatus.OPEN,
    )
    matched_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community = relationship("Community", back_populates="meetups")
    slots: Mapped[list[MeetupSlot]] = relationship(
        back_populates="meetup", cascade="all, delete-orphan", order_by="MeetupSlot.starts_at"
    )
    optins = relationship("OptIn", cascade="all, delete-orphan")
    groups = relationship("Group", back_populates="meetup", order_by="Group.id")


class MeetupSlot(db.Model):
    """A time and venue at which some of a meetup's groups meet."""

    __tablename__ = "meetup_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    #: Naive UTC start time.
    starts_at: Mapped[datetime]
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))

    meetup = relationship("Meetup", back_populates="slots")
    venue: Mapped[Venue] = relationship()


class OptIn(db.Model):
    """A member saying "match me" for one meetup."""

    __tablename__ = "optins"
    __table_args__ = (UniqueConstraint("meetup_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Free text for the organizer, e.g. "first time".
    note: Mapped[str] = mapped_column(Text, default="")

    member = relationship("Member")
