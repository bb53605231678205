"""Rows for pipeline tests, written straight to the database (no HTTP, no matching engine)."""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.extensions import db
from webapp.models import (
    Community,
    Group,
    GroupMember,
    Meetup,
    MeetupSlot,
    MeetupStatus,
    Member,
    Membership,
    OptIn,
    Venue,
)
from webapp.models._time import utcnow


def community(name: str = "Harbour Friends", timezone: str = "Europe/Berlin") -> Community:
    """A community with the given name and time zone."""
    found = Community(name=name, slug=name.lower().replace(" ", "-"), timezone=timezone)
    db.session.add(found)
    db.session.flush()
    return found


def member(place: Community, n: int, name: str | None = None) -> Member:
    """A member of the community, with address memberN@example.org."""
    person = Member(
        email=f"member{n}@example.org",
        password_hash="x",
        display_name=name or f"Person{n} Doe",
        email_confirmed_at=utcnow(),
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(Membership(community_id=place.id, member_id=person.id))
    return person


def meetup(
    place: Community,
    starts_at: datetime | None = None,
    status: MeetupStatus = MeetupStatus.OPEN,
    deadline: datetime | None = None,
    venue_name: str = "Café Anker; upstairs, back room",
) -> Meetup:
    """A meetup with one slot at `starts_at` (naive UTC; default: in three days)."""
    starts_at = starts_at or utcnow().replace(microsecond=0) + timedelta(days=3)
    venue = Venue(community_id=place.id, name=venue_name, address="Hafenstr. 1", capacity=20)
    round_ = Meetup(
        community_id=place.id,
        title="First round",
        optin_deadline=deadline or starts_at - timedelta(days=1),
        status=status,
    )
    round_.slots.append(MeetupSlot(starts_at=starts_at, venue=venue))
    db.session.add(round_)
    db.session.flush()
    return round_


def group(round_: Meetup, people: list[Member], opt_in: bool = True) -> Group:
    """A group of these members at the meetup's first slot (opted in too, by default)."""
    found = Group(meetup_id=round_.id, slot=round_.slots[0], why=["jazz"])
    for person in people:
        found.members.append(GroupMember(meetup_id=round_.id, member_id=person.id))
        if opt_in:
            db.session.add(OptIn(meetup_id=round_.id, member_id=person.id))
    db.session.add(found)
    db.session.flush()
    return found


def published_round(size: int = 3, **kwargs) -> tuple[Meetup, Group, list[Member]]:  # type: ignore[no-untyped-def]
    """A community, a published (matched) meetup and one group of `size` members."""
    place = community(**{k: v for k, v in kwargs.items() if k in {"name", "timezone"}})
    people = [member(place, n) for n in range(size)]
    round_ = meetup(
        place,
        status=MeetupStatus.MATCHED,
        **{k: v for k, v in kwargs.items() if k in {"starts_at", "deadline"}},
    )
    return round_, group(round_, people), people
