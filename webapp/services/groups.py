"""What a member sees of their own groups: first names, what they share, when and where.

Members see only the first names (and answers) of the people in their own groups; never
an email address, never anyone else's group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Group, GroupMember, Meetup, MeetupSlot, MeetupStatus, Member, Rsvp
from webapp.models._time import utcnow


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
    """ "bouldering and sci-fi" / "a, b and c" for the interests a group shares."""
    names = [w for w in why if w]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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


def group_for(member: Member, group_id: int) -> MyGroup | None:
    """One of the member's own published groups, or None (never someone else's)."""
    group = (
        db.session.scalars(select(Group).options(*_SHOWN).where(Group.id == group_id))
        .unique()
        .first()
    )
    if (
        group is None
        or group.meetup.status != MeetupStatus.MATCHED
        or not any(s.member_id == member.id for s in group.members)
    ):
        return None
    return _view(group, member)
