"""A small world for member tests: a community, confirmed members, a matched meetup."""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.extensions import db
from webapp.models import Availability, Group, GroupMember, Meetup, MeetupStatus, Member, OptIn
from webapp.models._time import utcnow
from webapp.services.accounts import hash_password
from webapp.services.communities import create_community, join
from webapp.services.meetups import SlotSpec, schedule_meetup
from webapp.services.profiles import interests_by_name

PASSWORD = "a long enough passphrase"


def person(name: str, email: str | None = None) -> Member:
    """A confirmed member who can log in with PASSWORD."""
    member = Member(
        email=email or f"{name.lower()}@example.org",
        password_hash=hash_password(PASSWORD),
        display_name=f"{name} Lastname",
        email_confirmed_at=utcnow(),
    )
    member.interests = interests_by_name(["bouldering", "sci-fi"])
    db.session.add(member)
    db.session.commit()
    return member


def community_with(members: list[Member], organizer: Member | None = None):  # type: ignore[no-untyped-def]
    """A community organised by `organizer` (or a new one) with these members."""
    organizer = organizer or person("Olivia")
    community = create_community(organizer, "Harbour Friends")
    for member in members:
        join(member, community)
    return community


def open_meetup(community, days: int = 4, standby: bool = False) -> Meetup:  # type: ignore[no-untyped-def]
    """An open meetup with one slot `days` from now."""
    start = datetime.now() + timedelta(days=days)
    meetup = schedule_meetup(
        community,
        title="First round",
        optin_deadline_local=start - timedelta(days=1),
        slots=[SlotSpec(start, "Café Anker", "Hafenstr. 1")],
    )
    meetup.standby_enabled = standby
    db.session.commit()
    return meetup


def matched_group(meetup: Meetup, members: list[Member], why=("bouldering", "sci-fi")) -> Group:  # type: ignore[no-untyped-def]
    """Opt these members in and place them in one published group."""
    for member in members:
        if not db.session.get(Member, member.id):
            continue
        if not any(o.member_id == member.id for o in meetup.optins):
            db.session.add(OptIn(meetup_id=meetup.id, member_id=member.id))
    group = Group(meetup_id=meetup.id, slot=meetup.slots[0], score=1.0, why=list(why))
    for member in members:
        group.members.append(GroupMember(meetup_id=meetup.id, member_id=member.id))
    meetup.status = MeetupStatus.MATCHED
    db.session.add(group)
    db.session.commit()
    return group


def move_to_past(meetup: Meetup) -> None:
    """Pretend the meetup happened yesterday."""
    for slot in meetup.slots:
        slot.starts_at = utcnow() - timedelta(days=1)
    meetup.optin_deadline = utcnow() - timedelta(days=2)
    db.session.commit()


def free_on(member: Member, weekday: int, part: str) -> None:
    """Give a member one weekly window."""
    member.availability.append(Availability(weekday=weekday, part=part))
    db.session.commit()
