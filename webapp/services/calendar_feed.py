"""A member's private calendar feed (ICS) of their upcoming published meetups.

The URL carries a signed token (`links.Action.CALENDAR`), so calendar apps can subscribe
without logging in and nobody else can read it. Events use the same UIDs as the invites,
so a calendar holding both shows each meetup once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Group, GroupMember, Meetup, MeetupSlot, MeetupStatus, Member
from webapp.models._time import utcnow
from webapp.services import calendar
from webapp.services.invites import member_event, next_sequence
from webapp.services.links import Action, link


def feed_url(member: Member) -> str:
    """The member's private feed URL."""
    return link(Action.CALENDAR, member.id)


def feed_for(member: Member) -> str:
    """The VCALENDAR of the member's published groups from yesterday on."""
    groups = db.session.scalars(
        select(Group)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .join(Meetup, Meetup.id == Group.meetup_id)
        .join(MeetupSlot, MeetupSlot.id == Group.slot_id)
        .where(
            GroupMember.member_id == member.id,
            Meetup.status == MeetupStatus.MATCHED,
            MeetupSlot.starts_at >= utcnow() - timedelta(days=1),
        )
        .order_by(MeetupSlot.starts_at)
    )
    events = [
        member_event(member, group, max(0, next_sequence(member.id, group.meetup_id) - 1))
        for group in groups
    ]
    return calendar.calendar(events, None)
