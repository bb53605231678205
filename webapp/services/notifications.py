"""The time-driven emails: invitations, reminders, feedback requests, "not placed", pauses.

`queue_due()` runs periodically (beat) and queues whatever is due now; it can run any
number of times, because every email has a de-duplication key (kind, member, meetup), so
no member gets more than one email of a kind for a meetup. Times are the community's
local time: the day-before reminder goes out from REMINDER_DAY_BEFORE_HOUR the day
before, the morning one from REMINDER_MORNING_HOUR on the day, the feedback request once
the meetup is over. Members who ignore rounds are paused here too (`ignored_rounds`).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import (
    Group,
    GroupMember,
    Meetup,
    MeetupSlot,
    MeetupStatus,
    Member,
    Membership,
    OptIn,
)
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail
from webapp.services import emails, ignored_rounds
from webapp.services.calendar import MEETUP_LENGTH
from webapp.services.links import Action, link
from webapp.services.pauses import is_paused
from webapp.services.unplaced_reasons import reason_text
from webapp.templating import format_when
from webapp.timeutil import to_local, to_utc

log = logging.getLogger(__name__)

REMINDER_DAY_BEFORE_HOUR = 10
REMINDER_MORNING_HOUR = 7
FEEDBACK_WINDOW = timedelta(days=7)
#: The earliest a reminder can be due before a meetup starts (the day-before one, from
#: REMINDER_DAY_BEFORE_HOUR local time the day before; 2 days covers every time zone).
REMINDER_LEAD = timedelta(days=2)


def queue_due(now: datetime | None = None) -> int:
    """Queue every notification due at `now` (naive UTC); return how many were queued."""
    now = now or utcnow()
    count = 0
    for meetup in db.session.scalars(select(Meetup).where(Meetup.status == MeetupStatus.OPEN)):
        if meetup.optin_deadline > now:
            count += _commit(lambda m=meetup: _invitations(m))
    count += _commit(lambda: ignored_rounds.pause_members_ignoring_rounds(now))
    left_out = set(db.session.scalars(_left_out_meetups(now).distinct()))
    for meetup in _published_with_notices(now):
        count += _commit(
            lambda m=meetup: (
                _group_notices(m, now) + (queue_not_placed(m, now) if m.id in left_out else 0)
            ),
            only_if_queued=True,
        )
    db.session.commit()
    return count


def _published_with_notices(now: datetime) -> list[Meetup]:
    """Published meetups that may have a notice due: a slot within the reminder lead or
    the feedback window of `now`, or an opted-in member left out of a meetup still to
    come (the not-placed backstop). A deadline hour publishes thousands of meetups days
    ahead; looking at each of them every run kept a worker busy for minutes (issue 16)."""
    window = select(MeetupSlot.meetup_id).where(
        MeetupSlot.starts_at >= now - MEETUP_LENGTH - FEEDBACK_WINDOW,
        MeetupSlot.starts_at <= now + REMINDER_LEAD,
    )
    return list(
        db.session.scalars(
            select(Meetup)
            .where(
                Meetup.status == MeetupStatus.MATCHED,
                or_(Meetup.id.in_(window), Meetup.id.in_(_left_out_meetups(now))),
            )
            .options(joinedload(Meetup.community), selectinload(Meetup.slots))
            .order_by(Meetup.id)
        )
    )


def _left_out_meetups(now: datetime) -> Select:
    """Ids of meetups still to come with an opted-in member who was not placed (one row
    per such member), as a subquery."""
    upcoming = select(MeetupSlot.meetup_id).where(MeetupSlot.starts_at >= now)
    return select(OptIn.meetup_id).where(OptIn.meetup_id.in_(upcoming), ~_seated().exists())


def _seated() -> Select:
    """The seat of the opt-in in the enclosing query (correlated)."""
    return select(GroupMember.id).where(
        GroupMember.meetup_id == OptIn.meetup_id, GroupMember.member_id == OptIn.member_id
    )


def _commit(step, only_if_queued: bool = False) -> int:  # type: ignore[no-untyped-def]
    """Run one step and commit it; a concurrent duplicate just loses (next run retries).

    ``only_if_queued``: the step writes nothing but the emails it counts, so when it queued
    none there is nothing to commit, and not committing keeps the meetups loaded for the
    run: a commit after each of thousands of published meetups expired them all, and each
    was read again (issue 16)."""
    try:
        queued = step()
        if queued or not only_if_queued:
            db.session.commit()
        return queued
    except IntegrityError:
        db.session.rollback()
        log.info("notifications raced with another run; skipped a step")
        return 0


def _invitations(meetup: Meetup) -> int:
    opted = set(db.session.scalars(select(OptIn.member_id).where(OptIn.meetup_id == meetup.id)))
    members = db.session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.community_id == meetup.community_id)
    )
    queued = 0
    for member in members:
        if member.id in opted or is_paused(member):
            continue
        with email_language(member, meetup.community):
            subject = gettext(
                "New round in %(community)s: %(title)s",
                community=meetup.community.name,
                title=meetup.title,
            )
            queued += _queued(
                emails.queue_for_member(
                    member,
                    meetup,
                    kind="invitation",
                    template="invitation",
                    subject=subject,
                    dedupe_key=f"invitation:{member.id}:{meetup.id}",
                    deadline=to_local(meetup.optin_deadline, meetup.community.timezone),
                    opt_in_url=link(Action.OPT_IN, member.id, meetup.id),
                )
            )
    return queued


def _group_notices(meetup: Meetup, now: datetime) -> int:
    """Reminders and feedback requests due now, for the groups of the slots they are due
    at. The windows are a slot's, so they are worked out once per slot (a meetup has a
    few) and groups are loaded only when something is due: a deadline hour publishes
    thousands of meetups whose reminders lie days ahead (issue 16)."""
    due = {
        slot.id: kinds
        for slot in meetup.slots
        if (kinds := _due_kinds(slot.starts_at, meetup.community.timezone, now))
    }
    if not due:
        return 0
    queued = 0
    for group in meetup.groups:
        for kind, context in due.get(group.slot_id, ()):
            template = "feedback_request" if kind == "feedback_request" else "reminder"
            queued += _to_group(group, kind, template, **context)
    return queued


def _due_kinds(starts: datetime, tz: str, now: datetime) -> list[tuple[str, dict]]:
    """The group notices due at ``now`` for a slot starting at ``starts`` (naive UTC), each
    with its template context."""
    if now > starts + MEETUP_LENGTH + FEEDBACK_WINDOW:
        return []
    start_day = to_local(starts, tz).date()
    day_before = to_utc(
        datetime.combine(start_day - timedelta(days=1), time(REMINDER_DAY_BEFORE_HOUR)), tz
    )
    morning = to_utc(datetime.combine(start_day, time(REMINDER_MORNING_HOUR)), tz)
    midnight = to_utc(datetime.combine(start_day, time(0)), tz)
    kinds: list[tuple[str, dict]] = []
    if day_before <= now < midnight:
        kinds.append(("reminder_day_before", {"morning": False}))
    if (morning if starts > morning else midnight) <= now < starts:
        kinds.append(("reminder_morning", {"morning": True}))
    if now >= starts + MEETUP_LENGTH:
        kinds.append(("feedback_request", {}))
    return kinds


def _to_group(group: Group, kind: str, template: str, **context: object) -> int:
    meetup = group.meetup
    starts = to_local(group.slot.starts_at, meetup.community.timezone)
    queued = 0
    for seat in group.members:
        if str(getattr(seat, "rsvp", "")) == "cant":
            continue  # they said they can't make it: no reminder, no "how was it?"
        member = seat.member
        with email_language(member, meetup.community):
            queued += _queue_group_notice(group, member, kind, template, starts, context)
    return queued


def _queue_group_notice(  # type: ignore[no-untyped-def]
    group: Group, member: Member, kind: str, template: str, starts, context: dict
) -> int:
    """One reminder or feedback request, in the member's language."""
    meetup = group.meetup
    at = format_when(starts, "time")
    subjects = {
        "reminder_day_before": gettext(
            "Tomorrow: %(title)s at %(time)s", title=meetup.title, time=at
        ),
        "reminder_morning": gettext("Today: %(title)s at %(time)s", title=meetup.title, time=at),
        "feedback_request": gettext("How was %(title)s?", title=meetup.title),
    }
    return _queued(
        emails.queue_for_member(
            member,
            meetup,
            kind=kind,
            template=template,
            subject=subjects[kind],
            dedupe_key=f"{kind}:{member.id}:{meetup.id}",
            group=group,
            starts=starts,
            venue=group.slot.venue,
            others=[s.member.first_name for s in group.members if s.member_id != member.id],
            cant_url=link(Action.CANT_MAKE_IT, member.id, meetup.id),
            feedback_url=link(Action.FEEDBACK, member.id, meetup.id),
            **context,
        )
    )


def queue_not_placed(meetup: Meetup, now: datetime | None = None) -> int:
    """One "not this time" notice per opted-in member left out of a published meetup.

    Call it in the publishing transaction; the periodic run is the backstop (de-duplicated).
    """
    now = now or utcnow()
    if not meetup.slots or min(s.starts_at for s in meetup.slots) < now:
        return 0
    # an anti-join from the meetup's opt-ins: `Member.id NOT IN (its seats)` made the
    # planner scan every member for every published meetup (issue 16)
    left_out = db.session.scalars(
        select(Member)
        .join(OptIn, OptIn.member_id == Member.id)
        .where(OptIn.meetup_id == meetup.id, ~_seated().exists())
    )
    reasons = {
        entry.get("member_id"): entry.get("reason")
        for entry in (getattr(meetup, "unmatched", None) or [])
        if isinstance(entry, dict)
    }
    queued = 0
    for member in left_out:
        with email_language(member, meetup.community):
            subject = gettext(
                "%(title)s: not this time, but first in line next time", title=meetup.title
            )
            queued += _queued(
                emails.queue_for_member(
                    member,
                    meetup,
                    kind="not_placed",
                    template="not_placed",
                    subject=subject,
                    dedupe_key=f"not_placed:{member.id}:{meetup.id}",
                    reason=reason_text(reasons.get(member.id)),
                )
            )
    return queued


def _queued(email: OutboxEmail | None) -> int:
    return 0 if email is None else 1
