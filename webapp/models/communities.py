"""Communities and the members' roles in them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow


class Role(enum.StrEnum):
    """What a member may do in a community."""

    MEMBER = "member"
    ORGANIZER = "organizer"


class Community(db.Model):
    """A neighbourhood, club or workplace whose members meet in small groups."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: URL name, unique.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: IANA time zone; meetup times are entered and shown in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: Where the community meets, shown on its pages.
    city: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: The community's suggested interest tags, normalised and free of duplicates.
    interest_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Secret part of the invite link; rotating it makes old links stop working.
    invite_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The language of emails to members who chose none (one of i18n.SUPPORTED_LOCALES);
    #: None means English.
    default_locale: Mapped[str | None] = mapped_column(String(8))

    memberships = relationship(
        "Membership", back_populates="community", cascade="all, delete-orphan"
    )
    meetups = relationship("Meetup", back_populates="community", order_by="Meetup.id")
    areas: Mapped[list[CommunityArea]] = relationship(
        back_populates="community", cascade="all, delete-orphan", order_by="CommunityArea.name"
    )


class CommunityArea(db.Model):
    """A part of town the organizers name, with a point members can pick as "near my home"
    (no geocoding: the organizer types the coordinates once, members choose by name)."""

    __tablename__ = "community_areas"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    #: The area's name as members see it, e.g. "Old Town"; unique within the community.
    name: Mapped[str] = mapped_column(String(80))
    #: Latitude in degrees (-90 to 90), WGS84.
    lat: Mapped[float] = mapped_column(Float)
    #: Longitude in degrees (-180 to 180), WGS84.
    lon: Mapped[float] = mapped_column(Float)

    community = relationship("Community", back_populates="areas")


class Membership(db.Model):
    """A member's place in a community, with their role."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("community_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.MEMBER,
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    community = relationship("Community", back_populates="memberships")
    member = relationship("Member", back_populates="memberships")
