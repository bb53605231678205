"""Organizer messages to the members of a meetup, through the same outbox as every email.

The audience is every opted-in member of the meetup ("all") or the members of one of its
groups ("group-<id>"); the message is queued as outbox rows in one audited commit.
"""

from __future__ import annotations

import logging

from flask_babel import gettext
from sqlalchemy import select

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Group, GroupMember, Meetup, Member, OptIn
from webapp.models.messages import OutboxEmail
from webapp.services import audit, emails
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

#: Kind of the outbox rows, so metrics and de-duplication can tell them apart.
MESSAGE_KIND = "organizer_message"


def audiences(meetup: Meetup) -> list[tuple[str, str]]:
    """(value, label) of everyone a message about this meetup may go to."""
    choices = [("all", gettext("Everyone who opted in"))]
    groups = db.session.scalars(
        select(Group).where(Group.meetup_id == meetup.id).order_by(Group.id)
    )
    for number, group in enumerate(groups, 1):
        label = gettext("Group %(number)s (%(venue)s)", number=number, venue=group.slot.venue.name)
        choices.append((f"group-{group.id}", label))
    return choices


def _queue_one(
    meetup: Meetup, actor: Member, person: Member, subject: str, body: str
) -> OutboxEmail:
    """The organizer's words as they wrote them, in a greeting and signature in the
    recipient's language (theirs, else the community's default)."""
    community = meetup.community
    with email_language(person, community):
        greeting = gettext("Hi %(name)s,", name=person.first_name)
        signature = gettext(
            "%(organizer)s, organizer of %(community)s, about %(meetup)s",
            organizer=actor.display_name,
            community=community.name,
            meetup=meetup.title,
        )
    email = emails.queue(
        kind=MESSAGE_KIND,
        to_address=person.email,
        member_id=person.id,
        meetup_id=meetup.id,
        subject=f"[{community.name}] {subject}",
        body_text=f"{greeting}\n\n{body}\n\n{signature}\n",
    )
    assert email is not None  # no de-duplication key: always queued
    return email


def recipients(meetup: Meetup, audience: str) -> list[Member]:
    """The members an audience value stands for; ServiceError if it is not this meetup's."""
    if audience == "all":
        query = (
            select(Member)
            .join(OptIn, OptIn.member_id == Member.id)
            .where(OptIn.meetup_id == meetup.id)
        )
    elif audience.startswith("group-") and audience[6:].isdigit():
        group = db.session.get(Group, int(audience[6:]))
        if group is None or group.meetup_id != meetup.id:
            raise ServiceError(
                gettext("Please choose one of this meetup's groups."), field="audience"
            )
        query = (
            select(Member)
            .join(GroupMember, GroupMember.member_id == Member.id)
            .where(GroupMember.group_id == group.id)
        )
    else:
        raise ServiceError(gettext("Please choose who the message is for."), field="audience")
    return list(db.session.scalars(query.order_by(Member.id)))


def send_message(
    meetup: Meetup, actor: Member, audience: str, subject: str, body: str
) -> list[int]:
    """Queue one email per recipient; return the outbox ids."""
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not 2 <= len(subject) <= 200:
        raise ServiceError(gettext("Subjects need 2 to 200 characters."), field="subject")
    if not 2 <= len(body) <= 5000:
        raise ServiceError(gettext("Messages need 2 to 5,000 characters."), field="body")
    people = recipients(meetup, audience)
    if not people:
        raise ServiceError(gettext("Nobody is in that audience yet."), field="audience")
    community = meetup.community
    queued = [_queue_one(meetup, actor, person, subject, body) for person in people]
    audit.record(
        community,
        actor,
        "message.sent",
        f"Messaged {len(people)} members of {meetup.title}: {subject}",
        meetup_id=meetup.id,
        audience=audience,
    )
    db.session.commit()
    log.info("meetup %s: organizer message queued for %s members", meetup.id, len(people))
    return [email.id for email in queued]
