"""One read of a community's history, in plain tuples, for the dashboard metrics.

The metrics (`metrics`, `metrics_depth`, `metrics_left_out`) are pure functions of a
`History`, so they can be tested against hand-computed values and computed by a worker
without holding ORM objects. Loading is a handful of column-only SQL queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, func, select

from webapp.extensions import db
from webapp.models import (
    Community,
    GroupMember,
    Meetup,
    MeetupFeedback,
    MeetupSlot,
    MeetupStatus,
    Member,
    Membership,
    OptIn,
    PairFeedback,
)
from webapp.models.checkins import LonelinessCheckin
from webapp.models.groups import PairChoice


@dataclass(frozen=True)
class PastMeetup:
    """A published meetup: id, title, when its first slot starts, its opt-in deadline."""

    id: int
    title: str
    date: datetime
    deadline: datetime


@dataclass
class History:
    """Everything the dashboard needs to know about one community, oldest first."""

    meetups: list[PastMeetup]
    #: member id -> (display name, joined at)
    members: dict[int, tuple[str, datetime]]
    #: (meetup id, group id, member id, rsvp value or "") for published meetups
    seats: list[tuple[int, int, int, str]]
    #: (meetup id, member id, created at) for every non-cancelled meetup
    optins: list[tuple[int, int, datetime]]
    #: (meetup id, member id, attended, rating or None, created at)
    feedback: list[tuple[int, int, bool, int | None, datetime]]
    #: (meetup id, rater, ratee, said "again", created at)
    pair_feedback: list[tuple[int, int, int, bool, datetime]]
    #: (score 3..9, created at) of the members' loneliness check-ins; anonymous
    checkins: list[tuple[int, datetime]] = field(default_factory=list)
    #: Intermediate results shared by several metrics (e.g. the mutual pairs).
    cache: dict = field(default_factory=dict)


def load_history(community: Community) -> History:
    """Read the community's history with one query per table."""
    first_slot = (
        select(MeetupSlot.meetup_id, func.min(MeetupSlot.starts_at).label("starts"))
        .group_by(MeetupSlot.meetup_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Meetup.id, Meetup.title, first_slot.c.starts, Meetup.optin_deadline)
        .join(first_slot, first_slot.c.meetup_id == Meetup.id)
        .where(Meetup.community_id == community.id, Meetup.status == MeetupStatus.MATCHED)
        .order_by(first_slot.c.starts, Meetup.id)
    )
    meetups = [PastMeetup(*row) for row in rows]
    published = [m.id for m in meetups]
    in_community = select(Meetup.id).where(
        Meetup.community_id == community.id, Meetup.status != MeetupStatus.CANCELLED
    )
    # Core execution on the connection, fetchall and plain-typed columns: hundreds of
    # thousands of rows on a large community, so no ORM or Enum processing per row.
    conn = db.session.connection()
    members = {
        member_id: (name, joined)
        for member_id, name, joined in conn.execute(
            select(Membership.member_id, Member.display_name, Membership.joined_at)
            .join(Member, Member.id == Membership.member_id)
            .where(Membership.community_id == community.id)
        )
    }
    seats = conn.execute(
        select(
            GroupMember.meetup_id,
            GroupMember.group_id,
            GroupMember.member_id,
            cast(GroupMember.rsvp, String),
        ).where(GroupMember.meetup_id.in_(published))
    ).all()
    optins = conn.execute(
        select(OptIn.meetup_id, OptIn.member_id, OptIn.created_at).where(
            OptIn.meetup_id.in_(in_community)
        )
    ).all()
    feedback = conn.execute(
        select(
            MeetupFeedback.meetup_id,
            MeetupFeedback.member_id,
            MeetupFeedback.attended,
            MeetupFeedback.rating,
            MeetupFeedback.created_at,
        ).where(MeetupFeedback.meetup_id.in_(in_community))
    ).all()
    pair_feedback = conn.execute(
        select(
            PairFeedback.meetup_id,
            PairFeedback.rater_id,
            PairFeedback.ratee_id,
            cast(PairFeedback.choice, String) == PairChoice.AGAIN.value,
            PairFeedback.created_at,
        ).where(PairFeedback.meetup_id.in_(in_community))
    ).all()
    checkins = conn.execute(
        select(
            LonelinessCheckin.lack_companionship
            + LonelinessCheckin.left_out
            + LonelinessCheckin.isolated,
            LonelinessCheckin.created_at,
        )
        .join(Membership, Membership.member_id == LonelinessCheckin.member_id)
        .where(Membership.community_id == community.id)
    ).all()
    return History(meetups, members, seats, optins, feedback, pair_feedback, checkins)
