"""Meetups: their time slots, venues and the members who opted in."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow


class MeetupStatus(enum.StrEnum):
    """Where a meetup is in its life: open, previewed (groups stored, nothing sent),
    matched (published: members were told), or cancelled."""

    OPEN = "open"
    PREVIEWED = "previewed"
    MATCHED = "matched"
    CANCELLED = "cancelled"


class MatchingPolicy(enum.StrEnum):
    """How the organizer wants history to steer the matching (see services/matching.py)."""

    BALANCED = "balanced"
    NEW_FACES = "new_faces"
    DEEPEN = "deepen"


class Frequency(enum.StrEnum):
    """How often a recurring series of meetups repeats."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class MeetupSeries(db.Model):
    """A recurring meetup: its occurrences are ordinary meetups pointing here."""

    __tablename__ = "meetup_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    frequency: Mapped[Frequency] = mapped_column(_enum(Frequency))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    #: Latitude in degrees (WGS84); None (with `lon`) when the organizer gave no coordinates.
    lat: Mapped[float | None] = mapped_column(Float)
    #: Longitude in degrees (WGS84); set together with `lat` or not at all.
    lon: Mapped[float | None] = mapped_column(Float)

    @property
    def location(self) -> tuple[float, float] | None:
        """(lat, lon) when both are known."""
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None


class Meetup(db.Model):
    """One round of small-group meetups in a community."""

    __tablename__ = "meetups"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
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
    #: How past feedback steers the grouping; chosen in words by the organizer.
    policy: Mapped[MatchingPolicy] = mapped_column(
        _enum(MatchingPolicy), default=MatchingPolicy.BALANCED, server_default="balanced"
    )
    #: Place each first-timer with at least one regular who rated meetups well.
    welcome_newcomers: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Standby members may fill seats freed by cancellations.
    standby_enabled: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: A run after the opt-in deadline publishes at once instead of waiting for the organizer.
    auto_publish: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: The recurring series this meetup belongs to, if any.
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetup_series.id", ondelete="SET NULL")
    )
    #: Members the last run could not place, with the engine's reason: [{member_id, reason}].
    #: Deferred: it can hold hundreds of entries and only the organizer's review reads it,
    #: while every member page loads the meetups of the member's groups.
    unmatched: Mapped[list[dict]] = mapped_column(JSON, default=list, deferred=True)
    #: Groups the organizer locked: a re-run keeps them as they are.
    locked_group_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: Bumped by every stored run or edit of the preview; guards concurrent runs.
    match_version: Mapped[int] = mapped_column(default=0, server_default="0")
    published_at: Mapped[datetime | None]

    community = relationship("Community", back_populates="meetups")
    series = relationship("MeetupSeries")
    slots: Mapped[list[MeetupSlot]] = relationship(
        back_populates="meetup", cascade="all, delete-orphan", order_by="MeetupSlot.starts_at"
    )
    optins = relationship("OptIn", cascade="all, delete-orphan")
    groups = relationship("Group", back_populates="meetup", order_by="Group.id")


class MeetupSlot(db.Model):
    """A time and venue at which some of a meetup's groups meet."""

    __tablename__ = "meetup_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), index=True)
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
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Free text for the organizer, e.g. "first time".
    note: Mapped[str] = mapped_column(Text, default="")
    #: The meetup's slots the member said they can make when opting in; None (opt-ins from
    #: before this existed) means "whatever the weekly availability grid covers".
    slot_ids: Mapped[list[int] | None] = mapped_column(JSON)

    member = relationship("Member")


class MatchProgress(db.Model):
    """How far the latest matching run of a meetup has got (services/match_progress.py).

    One row per meetup, overwritten by each run: written by the worker in short
    transactions of its own while the run's transaction is still open, read by the
    organizer's page. A "queued" or running row is also the scheduler's claim on the
    meetup (so a tick does not queue it again while it waits or runs). No foreign key on
    purpose: a progress write must never wait for the meetup row's lock, which the run's own
    guarded UPDATE takes (a stray row of a deleted meetup is harmless).
    """

    __tablename__ = "match_progress"

    meetup_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: queued, building, searching, storing, done or failed.
    state: Mapped[str] = mapped_column(String(20))
    #: The best total score the search has found so far (searching, storing, done).
    best_score: Mapped[float | None] = mapped_column(Float)
    #: Seconds the search has run, and the seconds it may run (MATCH_TIME_LIMIT).
    seconds: Mapped[float | None] = mapped_column(Float)
    limit_seconds: Mapped[float | None] = mapped_column(Float)
    #: Why a run failed, in words for the organizer.
    message: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
