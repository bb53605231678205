"""My connections: the people a member actually met, how often, and the mutual "meet
again" ones: the member's own view of their growing circle."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import (
    Group,
    GroupMember,
    Meetup,
    MeetupFeedback,
    MeetupSlot,
    MeetupStatus,
    Member,
    Rsvp,
)
from webapp.models._time import utcnow
from webapp.services.blocks import blocked_with
from webapp.services.feedback import mutual_again


@dataclass(frozen=True)
class Connection:
    """Someone the member met: first name only."""

    member_id: int
    first_name: str
    times: int
    last_met: datetime
    mutual: bool


def _no_shows() -> set[tuple[int, int]]:
    return set(
        db.session.execute(
            select(MeetupFeedback.meetup_id, MeetupFeedback.member_id).where(
                MeetupFeedback.attended.is_(False)
            )
        ).all()
    )


def connections_of(member: Member) -> list[Connection]:
    """People met at started meetups (neither cancelled nor said they did not go),
    mutual "meet again" first, then the most met."""
    mine, theirs = aliased(GroupMember), aliased(GroupMember)
    rows = db.session.execute(
        select(theirs.member_id, Meetup.id, MeetupSlot.starts_at)
        .select_from(mine)
        .join(theirs, (theirs.group_id == mine.group_id) & (theirs.member_id != mine.member_id))
        .join(Group, Group.id == mine.group_id)
        .join(Meetup, Meetup.id == Group.meetup_id)
        .join(MeetupSlot, MeetupSlot.id == Group.slot_id)
        .where(
            mine.member_id == member.id,
            mine.rsvp != Rsvp.CANT,
            theirs.rsvp != Rsvp.CANT,
            Meetup.status == MeetupStatus.MATCHED,
            MeetupSlot.starts_at <= utcnow(),
        )
    ).all()
    absent = _no_shows()
    blocked = blocked_with(member.id)
    met: dict[int, list[datetime]] = defaultdict(list)
    for other_id, meetup_id, starts_at in rows:
        if other_id in blocked or (meetup_id, member.id) in absent:
            continue
        if (meetup_id, other_id) in absent:
            continue
        met[other_id].append(starts_at)
    people = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(list(met))))}
    mutual = mutual_again(member)
    found = [
        Connection(oid, people[oid].first_name, len(times), max(times), oid in mutual)
        for oid, times in met.items()
        if people[oid].deleted_at is None
    ]
    return sorted(found, key=lambda c: (not c.mutual, -c.times, c.first_name))
