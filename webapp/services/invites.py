"""The group emails: "here is your group", "your group changed", "the meetup is cancelled".

Each carries an RFC 5545 object for the member's calendar (see `calendar`): the first is
METHOD:REQUEST with SEQUENCE 0; every later email about the same member and meetup keeps
the UID and raises the SEQUENCE (counted from the calendar emails already queued for them,
in the same transaction), so calendars replace the event instead of adding a second one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Group, GroupMember, Meetup, MeetupSlot, Member
from webapp.models.messages import OutboxEmail
from webapp.services import calendar, emails
from webapp.services.email_format import mail_domain
from webapp.services.links import Action, link
from webapp.templating import format_when
from webapp.timeutil import to_local

log = logging.getLogger(__name__)


def next_sequence(member_id: int, meetup_id: int) -> int:
    """The SEQUENCE for the next calendar object sent to a member about a meetup."""
    return next_sequences(meetup_id, [member_id])[member_id]


def next_sequences(meetup_id: int, member_ids: Iterable[int]) -> dict[int, int]:
    """`next_sequence` for many members of one meetup, in one query."""
    ids = list(member_ids)
    counts = dict(
        db.session.execute(
            select(OutboxEmail.member_id, func.count(OutboxEmail.id))
            .where(
                OutboxEmail.meetup_id == meetup_id,
                OutboxEmail.member_id.in_(ids),
                OutboxEmail.calendar_ics != "",
            )
            .group_by(OutboxEmail.member_id)
        ).all()
    )
    return {member_id: int(counts.get(member_id, 0)) for member_id in ids}


def member_event(member: Member, group: Group, sequence: int) -> calendar.Event:
    """The calendar event of a member's group."""
    meetup = group.meetup
    community = meetup.community
    venue = group.slot.venue
    others = [s.member.first_name for s in group.members if s.member_id != member.id]
    _, organizer_email = parseaddr(current_app.config["MAIL_FROM"])
    base_url = current_app.config["BASE_URL"]
    return calendar.Event(
        uid=calendar.event_uid(member.id, meetup.id, mail_domain()),
        sequence=sequence,
        starts_at=group.slot.starts_at,
        summary=f"{meetup.title} ({community.name})",
        location=", ".join(part for part in (venue.name, venue.address) if part),
        description=gettext(
            "Your group: %(names)s and you.\nSee it on %(url)s",
            names=", ".join(others),
            url=f"{base_url}/me",
        ),
        organizer_name=community.name,
        organizer_email=organizer_email or "hearth@localhost",
        attendee_name=member.display_name,
        attendee_email=member.email,
        url=f"{base_url}/me",
    )


def _group_emails(groups: Iterable[Group], *, update: bool, note: str) -> list[OutboxEmail]:
    """The "your group" (or "changed") email of every member of these groups of one
    meetup, as one batch: members, slots and venues loaded together, every SEQUENCE and
    dedupe key looked up in one query each, and the rows inserted in one flush."""
    groups = _loaded(list(groups))
    seats = [(group, seat.member) for group in groups for seat in group.members]
    if not seats:
        return []
    meetup_id = groups[0].meetup_id
    sequences = next_sequences(meetup_id, [member.id for _, member in seats])

    def key(member: Member) -> str:
        if update:  # each update is a new version
            return f"update:{member.id}:{meetup_id}:{sequences[member.id]}"
        return f"match:{member.id}:{meetup_id}"  # one "your group" email per member, ever

    taken = emails.taken_keys(key(member) for _, member in seats)
    queued = []
    for group, member in seats:
        if key(member) in taken:
            continue
        with email_language(member, group.meetup.community):
            email = _group_email(
                group, member, sequences[member.id], key(member), update=update, note=note
            )
        if email is not None:
            queued.append(email)
    db.session.flush()
    log.info("%s %s emails queued for meetup %s", len(queued), _kind(update), meetup_id)
    return queued


def _loaded(groups: list[Group]) -> list[Group]:
    """The groups again, with their seats, members, slots and venues in the session
    (a handful of queries instead of several per member)."""
    if not groups:
        return groups
    return list(
        db.session.scalars(
            select(Group)
            .where(Group.id.in_([group.id for group in groups]))
            .options(
                selectinload(Group.members).joinedload(GroupMember.member),
                joinedload(Group.slot).joinedload(MeetupSlot.venue),
                joinedload(Group.meetup).joinedload(Meetup.community),
            )
            .order_by(Group.id)
        ).unique()
    )


def _kind(update: bool) -> str:
    return "match_update" if update else "match"


def _group_email(
    group: Group, member: Member, sequence: int, dedupe_key: str, *, update: bool, note: str
) -> OutboxEmail | None:
    """One member's email about their group, in the language in force (the caller's
    `email_language`), added to the session unflushed."""
    meetup = group.meetup
    community = meetup.community
    starts = to_local(group.slot.starts_at, community.timezone)
    when = format_when(starts, "short_day_time")
    subject = (
        gettext("Your group for %(title)s changed: %(when)s", title=meetup.title, when=when)
        if update
        else gettext("Your group for %(title)s: %(when)s", title=meetup.title, when=when)
    )
    return emails.queue_for_member(
        member,
        meetup,
        kind=_kind(update),
        template="match",
        subject=subject,
        dedupe_key=dedupe_key,
        batched=True,
        calendar_ics=calendar.invite(member_event(member, group, sequence)),
        group=group,
        others=[s.member.first_name for s in group.members if s.member_id != member.id],
        starts=starts,
        venue=group.slot.venue,
        update=update,
        note=note,
        im_in_url=link(Action.IM_IN, member.id, meetup.id),
        cant_url=link(Action.CANT_MAKE_IT, member.id, meetup.id),
        feed_url=link(Action.CALENDAR, member.id),
    )


def queue_match_emails(*groups: Group) -> list[OutboxEmail]:
    """One "here is your group" email (with its invite) per member of these published
    groups (of one meetup)."""
    return _group_emails(groups, update=False, note="")


def queue_match_update(group: Group, note: str = "") -> list[OutboxEmail]:
    """A "your group changed" email per member: the same invite UID, a higher SEQUENCE.

    Call it in the transaction that changes the group, its slot or its venue.
    """
    return _group_emails([group], update=True, note=note)


#: The name the organizer tools (issue 5) call.
queue_group_update_emails = queue_match_update


def queue_cancellation(
    meetup: Meetup, member_ids: list[int] | None = None, reason: object = ""
) -> list[OutboxEmail]:
    """METHOD:CANCEL to every placed member (or just `member_ids`) of a meetup.

    `reason` is a string or a lazy_gettext one (then each member reads it in their language).

    Call it in the transaction that cancels the meetup (or removes those members).
    """
    seats = db.session.scalars(select(GroupMember).where(GroupMember.meetup_id == meetup.id))
    queued = []
    for seat in seats:
        if member_ids is not None and seat.member_id not in member_ids:
            continue
        member, group = seat.member, seat.group
        sequence = next_sequence(member.id, meetup.id)
        with email_language(member, meetup.community):
            event = member_event(member, group, sequence)
            email = emails.queue_for_member(
                member,
                meetup,
                kind="cancellation",
                template="cancellation",
                subject=gettext("Cancelled: %(title)s", title=meetup.title),
                dedupe_key=f"cancellation:{member.id}:{meetup.id}:{sequence}",
                calendar_ics=calendar.cancellation(event),
                starts=to_local(group.slot.starts_at, meetup.community.timezone),
                reason=str(reason),
            )
        if email is not None:
            queued.append(email)
    return queued
