"""What a member sees of their own groups."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Group, GroupMember, Meetup, Member


@dataclass(frozen=True)
class MyGroup:
    """A group as one of its members sees it: first names only, never emails."""

    group: Group
    meetup: Meetup
    others: list[str]


def groups_of(member: Member) -> list[MyGroup]:
    """The member's groups, most recent meetup first."""
    groups = db.session.scalars(
        select(Group)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.member_id == member.id)
        .order_by(Group.meetup_id.desc())
    ).all()
    return [
        MyGroup(g, g.meetup, [s.member.first_name for s in g.members if s.member_id != member.id])
        for g in groups
    ]
