"""Meetups: scheduling them with their slots and venues."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from webapp.extensions import db
from webapp.models import Community, Meetup, MeetupSlot, Venue
from webapp.models._time import utcnow
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
        raise ServiceError(
            "Group sizes must satisfy 2 <= smallest <= largest <= 12.", field="group_min"
        )
    if not slots:
        raise ServiceError("Add at least one time slot.", field="slots")
    deadline = to_utc(optin_deadline_local, community.timezone)
    if deadline <= utcnow():
        raise ServiceError("The opt-in deadline must be in the future.", field="optin_deadline")
    meetup = Meetup(
        community_id=community.id,
        title=title,
        optin_deadline=deadline,
        group_min=group_min,
        group_max=group_max,
    )
    for spec in slots:
        starts_at = to_utc(spec.starts_at_local, community.timezone)
        if starts_at <= deadline:
            raise ServiceError("Every slot must start after the opt-in deadline.", field="slots")
        if not 1 <= spec.capacity <= 10_000:
            raise ServiceError("Capacity must be between 1 and 10,000 seats.", field="slots")
        name = " ".join(spec.venue_name.split())
        if not 1 <= len(name) <= 120:
            raise ServiceError(
                "Every slot needs a venue name (up to 120 characters).", field="slots"
            )
        venue = Venue(
            community_id=community.id,
            name=name,
            address=spec.address.strip()[:255],
            capacity=spec.capacity,
        )
        meetup.slots.append(MeetupSlot(starts_at=starts_at, venue=venue))
    db.session.add(meetup)
    db.session.commit()
    log.info("meetup %s scheduled in community %s", meetup.id, community.id)
    return meetup
