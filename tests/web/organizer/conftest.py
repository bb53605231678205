"""Fixtures for the organizer tests: a community with members, a meetup and logged-in clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient

from webapp.extensions import db
from webapp.models import Community, Group, GroupMember, Meetup, MeetupStatus, Member, OptIn
from webapp.services.communities import create_community, join
from webapp.services.meetups import SlotSpec, schedule_meetup
from webapp.services.profiles import interests_by_name

TUESDAY_7PM = datetime(2030, 1, 1, 19, 0)  # 1 Jan 2030 is a Tuesday


def logged_in_client(app, member: Member) -> FlaskClient:  # type: ignore[no-untyped-def]
    """A test client whose session is logged in as the member (Flask-Login's own session
    keys, so these tests do not depend on the sign-up and login forms)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = member.get_id()
        session["_fresh"] = True
    return client


def make_members(count: int, prefix: str = "p") -> list[Member]:
    """Members with two interest circles, committed."""
    people = []
    for n in range(count):
        person = Member(
            email=f"{prefix}{n}@example.org",
            password_hash="x",
            display_name=f"{prefix.upper()}{n} Person",
        )
        person.interests = interests_by_name(["chess", "go"] if n % 2 else ["jazz", "wine"])
        db.session.add(person)
        people.append(person)
    db.session.commit()
    return people


def make_meetup(community: Community, title: str = "Round", capacity: int = 20, **kwargs) -> Meetup:
    """A meetup with a Tuesday-evening slot, deadline tomorrow."""
    return schedule_meetup(
        community,
        title=title,
        optin_deadline_local=datetime.now() + timedelta(days=1),
        slots=[SlotSpec(TUESDAY_7PM, "Café", "1 Main St", capacity=capacity)],
        **kwargs,
    )


def community_that_met(
    name: str, members: int, group_size: int
) -> tuple[Community, list[Member], Meetup]:
    """An organizer and `members` members who met before, in groups of `group_size`.

    Returns the community, its members (not the organizer) and the past meetup, which is
    matched and whose groups hold the members in order.
    """
    people = make_members(members + 1)
    community = create_community(people[0], name)
    joined = people[1:]
    for person in joined:
        join(person, community)
    past = Meetup(
        community_id=community.id,
        title="Earlier",
        optin_deadline=datetime(2020, 1, 1),
        status=MeetupStatus.MATCHED,
    )
    db.session.add(past)
    db.session.flush()
    slot_meetup = make_meetup(community, title="Slots holder")
    for start in range(0, members, group_size):
        group = Group(meetup_id=past.id, slot_id=slot_meetup.slots[0].id)
        group.members = [
            GroupMember(meetup_id=past.id, member_id=m.id)
            for m in joined[start : start + group_size]
        ]
        db.session.add(group)
    db.session.commit()
    return community, joined, past


def opt_in_all(meetup: Meetup, people: list[Member]) -> None:
    """Opt every given member in."""
    for person in people:
        db.session.add(OptIn(meetup_id=meetup.id, member_id=person.id))
    db.session.commit()


@dataclass
class World:
    """Two communities, their organizers (plus a co-organizer), a member, a meetup."""

    slug: str
    other_slug: str
    meetup_id: int
    clients: dict[str, FlaskClient] = field(default_factory=dict)


@pytest.fixture()
def world(app) -> World:  # type: ignore[no-untyped-def]
    """Logged-in clients: organizer, co_organizer, member, other_organizer; and anonymous."""
    clients = {}
    people = {}
    for key in ("organizer", "co_organizer", "member", "other_organizer"):
        people[key] = Member(
            email=f"{key}@example.org",
            password_hash="x",
            display_name=key.replace("_", " ").title(),
        )
        db.session.add(people[key])
    db.session.commit()
    for key, person in people.items():
        clients[key] = logged_in_client(app, person)
    clients["anonymous"] = app.test_client()
    first = create_community(people["organizer"], "First Circle")
    second = create_community(people["other_organizer"], "Second Circle")
    join(people["member"], first)
    join(people["co_organizer"], first)
    from webapp.services.communities import add_co_organizer

    add_co_organizer(first, people["organizer"], "co_organizer@example.org")
    members = make_members(6)
    for person in members:
        join(person, first)
    meetup = make_meetup(first)
    opt_in_all(meetup, members)
    return World(first.slug, second.slug, meetup.id, clients)
