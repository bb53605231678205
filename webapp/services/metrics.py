"""Engagement figures for organizers: live counts by SQL aggregates, and the dashboard's
engagement series (members over time, per-meetup rates, wellbeing) from a `History`."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

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
from webapp.services.metrics_history import History


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


def meetup_counts(community: Community, limit: int = 12) -> list[MeetupCounts]:
    """Per meetup, the `limit` latest first: opted in, matched, and match emails sent."""

    def per_meetup(column, where=True):  # type: ignore[no-untyped-def]
        rows = db.session.execute(select(column, func.count()).where(where).group_by(column))
        return dict(rows.all())

    meetups = db.session.scalars(
        select(Meetup)
        .where(Meetup.community_id == community.id)
        .order_by(Meetup.optin_deadline.desc())
        .limit(limit)
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


# --- Engagement over time, as pure functions of a loaded History (see metrics_history) ---

#: "Active" = opted in to a meetup or gave any feedback within this many days.
ACTIVE_DAYS = 30
#: Wellbeing averages are shown only for months with at least this many check-ins.
MIN_WELLBEING_ANSWERS = 10


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _activity(h: History) -> list[tuple[int, datetime]]:
    """(member, when) for every opt-in and every piece of feedback."""
    events = [(member, at) for _, member, at in h.optins]
    events += [(member, at) for _, member, _, _, at in h.feedback]
    events += [(rater, at) for _, rater, _, _, at in h.pair_feedback]
    return events


def active_members(h: History, at: datetime, days: int = ACTIVE_DAYS) -> int:
    """Members who opted in or gave feedback in the `days` before `at`."""
    since = at - timedelta(days=days)
    return len({m for m, when in _activity(h) if since < when <= at and m in h.members})


def _month_end(month: str) -> datetime:
    year, number = map(int, month.split("-"))
    return datetime(year + number // 12, number % 12 + 1, 1) - timedelta(microseconds=1)


def members_over_time(h: History, now: datetime) -> list[dict]:
    """Per month since the first sign-up: sign-ups, members so far, and active members
    (activity in the 30 days up to the month's end, or up to now for this month)."""
    if not h.members:
        return []
    joined = sorted(j for _, j in h.members.values())
    months = []
    month = joined[0].strftime("%Y-%m")
    while month <= now.strftime("%Y-%m"):
        months.append(month)
        year, number = map(int, month.split("-"))
        month = f"{year + number // 12}-{number % 12 + 1:02d}"
    activity = sorted((when, m) for m, when in _activity(h) if m in h.members)
    times = [when for when, _ in activity]
    signups = Counter(j.strftime("%Y-%m") for j in joined)
    rows = []
    for month in months:
        end = min(_month_end(month), now)
        since = end - timedelta(days=ACTIVE_DAYS)
        window = activity[bisect_right(times, since) : bisect_right(times, end)]
        rows.append(
            {
                "month": month,
                "signups": signups[month],
                "members": bisect_right(joined, _month_end(month)),
                "active": len({m for _, m in window}),
            }
        )
    return rows


def per_meetup(h: History) -> list[dict]:
    """Per published meetup, oldest first: opt-in, match, attendance, no-show, rating.

    opt-in rate = opted in / members who had joined by the deadline; match rate = placed /
    opted in; of the placed who reported back, attendance = came / reported and no-show =
    did not come without having answered "can't make it" / reported.
    """
    optins = Counter(m for m, _, _ in h.optins)
    placed: dict[int, dict[int, str]] = defaultdict(dict)
    for meetup_id, _, member, rsvp in h.seats:
        placed[meetup_id][member] = rsvp
    reports: dict[int, list[tuple[int, bool, int | None]]] = defaultdict(list)
    for meetup_id, member, attended, rating, _ in h.feedback:
        if member in placed.get(meetup_id, {}):
            reports[meetup_id].append((member, attended, rating))
    joined = sorted(j for _, j in h.members.values())
    rows = []
    for meetup in h.meetups:
        seats = placed.get(meetup.id, {})
        said = reports.get(meetup.id, [])
        came = sum(1 for _, attended, _ in said if attended)
        no_show = sum(1 for m, attended, _ in said if not attended and seats[m] != "cant")
        ratings = [r for _, _, r in said if r is not None]
        members = bisect_right(joined, meetup.deadline)
        rows.append(
            {
                "meetup_id": meetup.id,
                "title": meetup.title,
                "date": meetup.date.date().isoformat(),
                "members": members,
                "opted_in": optins[meetup.id],
                "placed": len(seats),
                "optin_rate": _rate(optins[meetup.id], members),
                "match_rate": _rate(len(seats), optins[meetup.id]),
                "reported": len(said),
                "attendance_rate": _rate(came, len(said)),
                "no_show_rate": _rate(no_show, len(said)),
                "ratings": len(ratings),
                "avg_rating": round(sum(ratings) / len(ratings), 3) if ratings else None,
            }
        )
    return rows


def wellbeing(h: History) -> list[dict]:
    """Per month: number of check-ins and, only with enough answers, their average score
    (3 = least lonely, 9 = most). Never per person."""
    by_month: dict[str, list[int]] = defaultdict(list)
    for score, at in h.checkins:
        by_month[at.strftime("%Y-%m")].append(score)
    return [
        {
            "month": month,
            "answers": len(scores),
            "average": round(sum(scores) / len(scores), 3)
            if len(scores) >= MIN_WELLBEING_ANSWERS
            else None,
        }
        for month, scores in sorted(by_month.items())
    ]
