"""Answering a group: "I'm in" and "Can't make it".

A cancellation keeps the seat as history (rsvp "cant"), tells the rest of the group, and,
where the organizer allows standby (`Meetup.standby_enabled`), pulls in the member who has
waited longest: opted in but unplaced, free at that slot (one of the times they picked when
opting in, else their weekly grid), not paused, and blocked by nobody in the group. The
one-click email links call exactly `confirm` and `cancel`.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Availability, Group, GroupMember, MeetupStatus, Member, OptIn, Rsvp
from webapp.models._time import utcnow
from webapp.services import emails
from webapp.services.blocks import blocked_with
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError
from webapp.services.pauses import paused_member_ids
from webapp.timeutil import to_local, weekly_window

log = logging.getLogger(__name__)


def _seat(member: Member, group: Group) -> GroupMember:
    seat = next((s for s in group.members if s.member_id == member.id), None)
    if seat is None or group.meetup.status != MeetupStatus.MATCHED:
        raise ServiceError(gettext("This is not one of your groups."))
    if group.slot.starts_at <= utcnow():
        raise ServiceError(
            gettext("This meetup has already started, so it can no longer be changed.")
        )
    return seat


def _active(group: Group) -> list[GroupMember]:
    return [s for s in group.members if s.rsvp != Rsvp.CANT]


def confirm(member: Member, group: Group) -> bool:
    """Say "I'm in"; return False if already said. Someone who cancelled can come back
    only while the group has room."""
    seat = _seat(member, group)
    if seat.rsvp == Rsvp.GOING:
        return False
    if seat.rsvp == Rsvp.CANT and len(_active(group)) >= group.meetup.group_max:
        raise ServiceError(gettext("Sorry, your seat has gone to someone else in the meantime."))
    seat.rsvp, seat.rsvp_at = Rsvp.GOING, utcnow()
    db.session.commit()
    log.info("member %s confirmed group %s", member.id, group.id)
    return True


def cancel(member: Member, group: Group) -> list[int]:
    """Say "Can't make it": tell the group, fill the seat from standby where allowed.
    Return the ids of the queued emails (none if they had already cancelled)."""
    seat = _seat(member, group)
    if seat.rsvp == Rsvp.CANT:
        return []
    seat.rsvp, seat.rsvp_at = Rsvp.CANT, utcnow()
    db.session.flush()
    newcomer = _pull_standby(group) if group.meetup.standby_enabled else None
    queued = _tell_group(group, member, newcomer)
    if newcomer is not None:
        queued.append(_tell_newcomer(group, newcomer))
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent cancellation pulled the same standby member
        db.session.rollback()
        return _cancel_plain(member, group)
    log.info(
        "member %s cancelled group %s%s",
        member.id,
        group.id,
        f"; standby member {newcomer.id} pulled in" if newcomer else "",
    )
    return [e.id for e in queued]


def _cancel_plain(member: Member, group: Group) -> list[int]:
    seat = _seat(member, group)
    seat.rsvp, seat.rsvp_at = Rsvp.CANT, utcnow()
    queued = _tell_group(group, member, None)
    db.session.commit()
    return [e.id for e in queued]


def standby_candidates(group: Group) -> list[Member]:
    """Who could take a freed seat, longest-waiting first."""
    meetup = group.meetup
    placed = select(GroupMember.member_id).where(GroupMember.meetup_id == meetup.id)
    waiting_rows = list(
        db.session.execute(
            select(Member, OptIn.slot_ids)
            .join(OptIn, OptIn.member_id == Member.id)
            .where(
                OptIn.meetup_id == meetup.id,
                Member.id.not_in(placed),
                Member.deleted_at.is_(None),
                Member.email_confirmed_at.is_not(None),
            )
            .order_by(OptIn.created_at, OptIn.id)
        )
    )
    waiting = [candidate for candidate, _ in waiting_rows]
    picks = {candidate.id: slot_ids for candidate, slot_ids in waiting_rows}
    paused = paused_member_ids(m.id for m in waiting)
    window = weekly_window(group.slot.starts_at, meetup.community.timezone)
    in_group = {s.member_id for s in _active(group)}
    result = []
    for candidate in waiting:
        if candidate.id in paused or role_of(candidate, meetup.community) is None:
            continue
        if blocked_with(candidate.id) & in_group:
            continue
        if picks[candidate.id] is not None:  # the times they picked when opting in decide
            if group.slot_id not in picks[candidate.id]:
                continue
            result.append(candidate)
            continue
        windows = set(
            db.session.execute(
                select(Availability.weekday, Availability.part).where(
                    Availability.member_id == candidate.id
                )
            ).all()
        )
        if windows and window not in windows:  # no windows at all: free at any slot
            continue
        result.append(candidate)
    return result


def _pull_standby(group: Group) -> Member | None:
    candidates = standby_candidates(group)
    if not candidates:
        return None
    newcomer = candidates[0]
    group.members.append(
        GroupMember(meetup_id=group.meetup_id, member_id=newcomer.id, from_standby=True)
    )
    db.session.flush()
    return newcomer


def _context(group: Group) -> dict:
    meetup = group.meetup
    return {
        "meetup": meetup,
        "community": meetup.community,
        "group": group,
        "venue": group.slot.venue,
        "starts": to_local(group.slot.starts_at, meetup.community.timezone),
        "base_url": current_app.config["BASE_URL"],
    }


def _tell_group(group: Group, cancelled: Member, newcomer: Member | None) -> list:
    queued = []
    for seat in _active(group):
        if newcomer is not None and seat.member_id == newcomer.id:
            continue
        with email_language(seat.member, group.meetup.community):
            body = render_template(
                "members/email/cancelled.txt",
                member=seat.member,
                who=cancelled.first_name,
                newcomer=newcomer.first_name if newcomer else None,
                **_context(group),
            )
            subject = gettext(
                "%(who)s can't make it to %(title)s",
                who=cancelled.first_name,
                title=group.meetup.title,
            )
        queued.append(
            emails.queue(
                kind="group_cancellation",
                to_address=seat.member.email,
                member_id=seat.member_id,
                meetup_id=group.meetup_id,
                subject=subject,
                body_text=body,
            )
        )
    return queued


def _tell_newcomer(group: Group, newcomer: Member):  # type: ignore[no-untyped-def]
    others = [s.member.first_name for s in _active(group) if s.member_id != newcomer.id]
    with email_language(newcomer, group.meetup.community):
        body = render_template(
            "members/email/standby.txt", member=newcomer, others=others, **_context(group)
        )
        subject = gettext("A seat opened up for %(title)s", title=group.meetup.title)
    return emails.queue(
        kind="standby_seat",
        to_address=newcomer.email,
        member_id=newcomer.id,
        meetup_id=group.meetup_id,
        subject=subject,
        body_text=body,
    )
