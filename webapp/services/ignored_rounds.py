"""Pausing members who ignore rounds, kindly: no more invitations, and a way back.

A member who was invited (an "invitation" email) to the last `IGNORED_ROUNDS_TO_PAUSE`
closed rounds of a community and opted in to none of them gets `Member.paused_until` set
and one "we've paused your invitations" email with a one-click "come back any time" link
(`links.Action.RESUME`, which calls `pauses.resume`). Not a punishment: nothing else
changes, and the member is not paused again for the same rounds after coming back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Meetup, Member, OptIn
from webapp.models.messages import OutboxEmail
from webapp.services import emails
from webapp.services.links import Action, link
from webapp.services.pauses import is_paused

log = logging.getLogger(__name__)

IGNORED_ROUNDS_TO_PAUSE = 3
PAUSE_LENGTH = timedelta(days=365)


def pause_members_ignoring_rounds(now: datetime) -> int:
    """Pause every member who ignored the last rounds; return how many notices were queued."""
    rows = db.session.execute(
        select(OutboxEmail.member_id, Meetup.community_id, Meetup.id)
        .join(Meetup, Meetup.id == OutboxEmail.meetup_id)
        .where(OutboxEmail.kind == "invitation", Meetup.optin_deadline <= now)
        .order_by(Meetup.optin_deadline.desc())
    )
    rounds: dict[tuple[int, int], list[int]] = {}
    for member_id, community_id, meetup_id in rows:
        rounds.setdefault((member_id, community_id), []).append(meetup_id)
    queued = 0
    for (member_id, _community), meetup_ids in rounds.items():
        last = meetup_ids[:IGNORED_ROUNDS_TO_PAUSE]
        if len(last) < IGNORED_ROUNDS_TO_PAUSE or _opted_in_any(member_id, last):
            continue
        member = db.session.get(Member, member_id)
        if member is None or is_paused(member, now) or _already_paused_for(member, last):
            continue
        member.paused_until = now + PAUSE_LENGTH
        meetup = db.session.get(Meetup, last[0])
        log.info("member %s paused after %s ignored rounds", member_id, len(last))
        with email_language(member, meetup.community):
            notice = emails.queue_for_member(
                member,
                meetup,
                kind="paused",
                template="paused",
                subject=gettext(
                    "We've paused your invitations from %(community)s",
                    community=meetup.community.name,
                ),
                dedupe_key=f"paused:{member.id}:{meetup.id}",
                resume_url=link(Action.RESUME, member.id, meetup.id),
            )
        queued += notice is not None
    return queued


def _opted_in_any(member_id: int, meetup_ids: list[int]) -> bool:
    found = db.session.scalar(
        select(OptIn.id).where(OptIn.member_id == member_id, OptIn.meetup_id.in_(meetup_ids))
    )
    return found is not None


def _already_paused_for(member: Member, meetup_ids: list[int]) -> bool:
    """True if these very rounds already paused the member (the notice exists)."""
    found = db.session.scalar(
        select(OutboxEmail.id).where(
            OutboxEmail.kind == "paused",
            OutboxEmail.member_id == member.id,
            OutboxEmail.meetup_id == meetup_ids[0],
        )
    )
    return found is not None
