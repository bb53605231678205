"""Member accounts, their interests and their weekly availability."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow

#: Parts of the day a member can mark as free, with the local hours each covers.
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (6, 12),
    "afternoon": (12, 17),
    "evening": (17, 24),
}


def new_session_token() -> str:
    """A fresh random session token (see Member.session_token)."""
    return secrets.token_hex(16)


member_interests = Table(
    "member_interests",
    db.metadata,
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "interest_id", Integer, ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True
    ),
)


def first_name(display_name: str, deleted_at: datetime | None) -> str:
    """The first word of a display name ("A former member" once deleted): all that other
    group members see of someone."""
    if deleted_at is not None:
        return "A former member"
    return display_name.split()[0] if display_name.strip() else "Someone"


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
    #: When the member proved they own `email` (naive UTC); None until then.
    email_confirmed_at: Mapped[datetime | None]
    #: Matching is paused until this time (naive UTC); None or a past time means active.
    paused_until: Mapped[datetime | None]
    #: Part of the login session's id: rotating it ends every session and remember-me cookie.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    #: Neighbourhood or postcode area, e.g. "Kreuzberg" or "SW9"; the name of the community
    #: area the member picked, when they picked one (its point is then in home_lat/home_lon).
    area: Mapped[str] = mapped_column(String(80), default="", server_default="")
    #: Latitude of home (WGS84, degrees), from a picked area or typed; None if not given.
    home_lat: Mapped[float | None] = mapped_column(Float)
    #: Longitude of home (WGS84, degrees); set together with `home_lat` or not at all.
    home_lon: Mapped[float | None] = mapped_column(Float)
    #: How far the member will travel to a meetup, in km; None means "not said".
    travel_km: Mapped[int | None]
    #: Preferred group size (3 to 6); None means no preference.
    preferred_group_size: Mapped[int | None]
    #: True if the member never wants to be in a group of two.
    no_groups_of_two: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Languages the member is happy to talk in, normalised like interests.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: Diet needs for venues; only organizers of the member's communities see them.
    diet: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: Accessibility needs for venues; only organizers of the member's communities see them.
    accessibility_needs: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: Set when the member deleted their account: the row stays only as an anonymous shell.
    deleted_at: Mapped[datetime | None]
    #: The language the member chose for pages and emails (one of i18n.SUPPORTED_LOCALES);
    #: None means "not chosen": pages follow the browser, emails the community's default.
    locale: Mapped[str | None] = mapped_column(String(8))

    interests: Mapped[list[Interest]] = relationship(
        secondary=member_interests, order_by="Interest.name"
    )
    availability: Mapped[list[Availability]] = relationship(
        cascade="all, delete-orphan", order_by="(Availability.weekday, Availability.part)"
    )
    memberships = relationship("Membership", back_populates="member", cascade="all, delete-orphan")

    @property
    def home(self) -> tuple[float, float] | None:
        """(lat, lon) of home when both are known."""
        if self.home_lat is None or self.home_lon is None:
            return None
        return self.home_lat, self.home_lon

    @property
    def first_name(self) -> str:
        """The first word of the display name: all that other group members see."""
        return first_name(self.display_name, self.deleted_at)

    def get_id(self) -> str:
        """Flask-Login's session id: the member id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        """Deleted accounts cannot log in."""
        return self.deleted_at is None

    @property
    def email_confirmed(self) -> bool:
        """True once the member clicked the link sent to their current address."""
        return self.email_confirmed_at is not None


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
