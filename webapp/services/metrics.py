"""Engagement figures for organizers, computed by SQL aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import (
    Community,
    GroupMember,
    Meetup,
    Membership,
    OptIn,
    OutboxEmail,
    OutboxStatus,
)


@dataclass(frozen=True)
class MeetupCounts:
    """Opted in, placed in a group, and match emails sent, for one meetup."""

    meetup: Meetup
    opted_in: int
    matched: int
    emails_sent: int


def member_count(community: Community) -> int:
    """How many members (organizers included) the community has."""
    return (
        db.session.scalar(select(func.count()).where(Membership.community_id == community.id)) or 0
    )


def meetup_counts(community: Community) -> list[MeetupCounts]:
    """Per meetup, newest first: opted in, matched, and match emails sent."""

    def per_meetup(column, where=True):  # type: ignore[no-untyped-def]
        rows = db.session.execute(select(column, func.count()).where(where).group_by(column))
        return dict(rows.all())

    meetups = db.session.scalars(
        select(Meetup)
        .where(Meetup.community_id == community.id)
        .order_by(Meetup.optin_deadline.desc())
    ).all()
    ids = [m.id for m in meetups]
    opted = per_meetup(OptIn.meetup_id, OptIn.meetup_id.in_(ids))
    matched = per_meetup(GroupMember.meetup_id, GroupMember.meetup_id.in_(ids))
    sent = per_meetup(
        OutboxEmail.meetup_id,
        OutboxEmail.meetup_id.in_(ids)
        & (OutboxEmail.kind == "match")
        & (OutboxEmail.status == OutboxStatus.SENT),
    )
    return [
        MeetupCounts(m, opted.get(m.id, 0), matched.get(m.id, 0), sent.get(m.id, 0))
        for m in meetups
    ]
