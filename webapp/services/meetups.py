"""Meetups: scheduling them with slots and venues, and members opting in or out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import Community, Meetup, MeetupSlot, MeetupStatus, Member, Membership, OptIn, Venue
from webapp.models._time import utcnow
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError
from webapp.timeutil import to_utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlotSpec:
    """One slot as an organizer enters it: local start time and where."""

    starts_at_local: datetime
    venue_name: str
    address: str = ""
    capacity: int = 30


def schedule_meetup(
    community: Community,
    *,
    title: str,
    optin_deadline_local: datetime,
    slots: list[SlotSpec],
    group_min: int = 3,
    group_max: int = 6,
) -> Meetup:
    """Create a meetup with its slots and venues in one commit; validate everything first."""
    title = " ".join((title or "").split())
    if not 2 <= len(title) <= 120:
        raise ServiceError("Titles need 2 to 120 characters.", field="title")
    if not 2 <= group_min <= group_max <= 12:
        raise ServiceError("Group sizes must satisfy 2 <= smallest <= largest <= 12.", field="group_min")
    if not slots:
        raise ServiceError("Add at least one time slot.", field="slots")
    deadline = to_utc(optin_deadline_local, community.timezone)
    if deadline <= utcnow():
        raise ServiceError("The opt-in deadline must be in the future.", field="optin_deadline")
    meetup = Meetup(community_id=community.id, title=title, optin_deadline=deadline,
                    group_min=group_min, group_max=group_max)
    for spec in slots:
        starts_at = to_utc(spec.starts_at_local, community.timezone)
        if starts_at <= deadline:
            raise ServiceError("Every slot must start after the opt-in deadline.", field="slots")
        if not 1 <= spec.capacity <= 10_000:
            raise ServiceError("Capacity must be between 1 and 10,000 seats.", field="slots")
        name = " ".join(spec.venue_name.split())
        if not 1 <= len(name) <= 120:
            raise ServiceError("Every slot needs a venue name (up to 120 characters).", field="slots")
        venue = Venue(community_id=community.id, name=name, address=spec.address.strip()[:255],
                      capacity=spec.capacity)
        meetup.slots.append(MeetupSlot(starts_at=starts_at, venue=venue))
    db.session.add(meetup)
    db.session.commit()
    log.info("meetup %s scheduled in community %s", meetup.id, community.id)
    return meetup


def is_open_for_optin(meetup: Meetup) -> bool:
    """True while members may still opt in or out."""
    return meetup.status == MeetupStatus.OPEN and meetup.optin_deadline > utcnow()


def opt_in(member: Member, meetup: Meetup) -> bool:
    """Opt a community member in; return False if they already were."""
    if role_of(member, meetup.community) is None:
        raise ServiceError("Join the community first to take part in its meetups.")
    if not is_open_for_optin(meetup):
        raise ServiceError("Opt-in for this meetup has closed.")
    if db.session.scalar(select(OptIn.id).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)):
        return False
    db.session.add(OptIn(meetup_id=meetup.id, member_id=member.id))
    db.session.commit()
    log.info("member %s opted in to meetup %s", member.id, meetup.id)
    return True


def opt_out(member: Member, meetup: Meetup) -> None:
    """Withdraw a member's opt-in while the meetup is still open."""
    if not is_open_for_optin(meetup):
        raise ServiceError("Opt-in for this meetup has closed, so it can no longer be changed.")
    db.session.execute(delete(OptIn).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id))
    db.session.commit()
    log.info("member %s opted out of meetup %s", member.id, meetup.id)


def upcoming_for(member: Member) -> list[tuple[Meetup, bool]]:
    """Open meetups in the member's communities, with whether they opted in."""
    meetups = db.session.scalars(
        select(Meetup)
        .join(Membership, Membership.community_id == Meetup.community_id)
        .where(Membership.member_id == member.id, Meetup.status == MeetupStatus.OPEN,
               Meetup.optin_deadline > utcnow())
        .order_by(Meetup.optin_deadline)
    ).all()
    opted = set(db.session.scalars(
        select(OptIn.meetup_id).where(OptIn.member_id == member.id,
                                      OptIn.meetup_id.in_([m.id for m in meetups]))
    ))
    return [(m, m.id in opted) for m in meetups]
