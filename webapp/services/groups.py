"""What a member sees of their own groups: first names, what they share, when and where.

Members see only the first names (and answers) of the people in their own groups; never
an email address, never anyone else's group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import (
    Community,
    Group,
    GroupMember,
    Meetup,
    MeetupSlot,
    MeetupStatus,
    Member,
    Rsvp,
    Venue,
)
from webapp.models._time import utcnow
from webapp.models.members import first_name


@dataclass(frozen=True)
class Companion:
    """Another member of the group, as the viewer sees them."""

    member_id: int
    first_name: str
    rsvp: Rsvp


@dataclass(frozen=True)
class MyGroup:
    """A group as one of its members sees it: first names only, never emails."""

    group: Group
    meetup: Meetup
    others: list[str]
    companions: list[Companion]
    my_rsvp: Rsvp
    shared: str

    @property
    def starts_at(self) -> datetime:
        """When the group meets (naive UTC)."""
        return self.group.slot.starts_at

    @property
    def is_past(self) -> bool:
        """True once the meetup has started: time for feedback."""
        return self.group.slot.starts_at <= utcnow()


def shared_phrase(why: list[str]) -> str:
    """ "bouldering and sci-fi" / "a, b and c" for what a group shares: the engine's whole
    `why` list (interest tags, then topics two or more of them wrote about)."""
    names = [w for w in why if w]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])


def _view(group: Group, member: Member) -> MyGroup:
    mine = next(s for s in group.members if s.member_id == member.id)
    companions = [
        Companion(s.member_id, s.member.first_name, s.rsvp)
        for s in group.members
        if s.member_id != member.id
    ]
    return MyGroup(
        group=group,
        meetup=group.meetup,
        others=[c.first_name for c in companions if c.rsvp != Rsvp.CANT],
        companions=companions,
        my_rsvp=mine.rsvp,
        shared=shared_phrase(list(group.why or [])),
    )


#: Everything a group card or page shows, loaded in the same few queries instead of one
#: query per companion, slot and venue (the member pages' hot path).
_SHOWN = (
    joinedload(Group.members).joinedload(GroupMember.member),
    joinedload(Group.meetup).joinedload(Meetup.community),
    joinedload(Group.slot).joinedload(MeetupSlot.venue),
)


def groups_of(member: Member) -> list[MyGroup]:
    """The member's published groups, most recent meetup first."""
    groups = (
        db.session.scalars(
            select(Group)
            .options(*_SHOWN)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Meetup, Meetup.id == Group.meetup_id)
            # An unpublished preview is the organizers' draft: members see published groups only.
            .where(GroupMember.member_id == member.id, Meetup.status == MeetupStatus.MATCHED)
            .order_by(Group.meetup_id.desc())
        )
        .unique()
        .all()
    )
    return [_view(g, member) for g in groups]


@dataclass(frozen=True)
class GroupCard:
    """A group as the member's home page lists it: plain values, no ORM objects."""

    group_id: int
    title: str
    starts_at: datetime
    timezone: str
    venue_name: str
    venue_address: str
    others: list[str]
    my_rsvp: Rsvp
    shared: str

    @property
    def is_past(self) -> bool:
        """True once the meetup has started: time for feedback."""
        return self.starts_at <= utcnow()


#: The home page's two statements, built once (building a statement costs more CPU than
#: running it): the member's published groups with time and place, then the others' names.
_CARDS = (
    select(
        Group.id,
        Group.why,
        Meetup.title,
        MeetupSlot.starts_at,
        Community.timezone,
        Venue.name,
        Venue.address,
        GroupMember.rsvp,
    )
    .join(GroupMember, GroupMember.group_id == Group.id)
    .join(Meetup, Meetup.id == Group.meetup_id)
    .join(Community, Community.id == Meetup.community_id)
    .join(MeetupSlot, MeetupSlot.id == Group.slot_id)
    .join(Venue, Venue.id == MeetupSlot.venue_id)
    # An unpublished preview is the organizers' draft: members see published groups only.
    .where(GroupMember.member_id == bindparam("member_id"), Meetup.status == MeetupStatus.MATCHED)
    .order_by(Group.meetup_id.desc(), Group.id)
)
_CARD_COMPANIONS = (
    select(GroupMember.group_id, Member.display_name, Member.deleted_at)
    .join(Member, Member.id == GroupMember.member_id)
    .where(
        GroupMember.group_id.in_(bindparam("group_ids", expanding=True)),
        GroupMember.member_id != bindparam("member_id"),
        GroupMember.rsvp != Rsvp.CANT,
    )
    .order_by(GroupMember.id)
)


def group_cards(member: Member) -> list[GroupCard]:
    """The member's published groups for their home page, most recent meetup first.

    Two plain queries (groups with their time and place, then the other members' first
    names) instead of loading whole rows: the home page is the busiest page of the site.
    """
    rows = db.session.execute(_CARDS, {"member_id": member.id}).all()
    others: dict[int, list[str]] = {}
    if rows:
        companions = db.session.execute(
            _CARD_COMPANIONS, {"group_ids": [row.id for row in rows], "member_id": member.id}
        )
        for group_id, name, deleted_at in companions:
            others.setdefault(group_id, []).append(first_name(name, deleted_at))
    return [
        GroupCard(
            group_id=group_id,
            title=title,
            starts_at=starts_at,
            timezone=timezone,
            venue_name=venue_name,
            venue_address=venue_address or "",
            others=others.get(group_id, []),
            my_rsvp=rsvp,
            shared=shared_phrase(list(why or [])),
        )
        for group_id, why, title, starts_at, timezone, venue_name, venue_address, rsvp in rows
    ]


#: One group with everything its page shows, built once.
_GROUP_SHOWN = select(Group).options(*_SHOWN).where(Group.id == bindparam("group_id"))


def group_for(member: Member, group_id: int) -> MyGroup | None:
    """One of the member's own published groups, or None (never someone else's)."""
    group = db.session.scalars(_GROUP_SHOWN, {"group_id": group_id}).unique().first()
    if (
        group is None
        or group.meetup.status != MeetupStatus.MATCHED
        or not any(s.member_id == member.id for s in group.members)
    ):
        return None
    return _view(group, member)
