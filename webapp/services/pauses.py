"""Pausing all matching for a few weeks, and resuming.

A paused member cannot opt in, their open opt-ins are withdrawn when they pause, and the
matching adapter must leave them out (`paused_member_ids`), e.g. when a meetup's deadline
passed before they paused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus, Member, OptIn
from webapp.models._time import utcnow
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

MAX_WEEKS = 26


def is_paused(member: Member, at: datetime | None = None) -> bool:
    """True while the member's pause lasts."""
    return member.paused_until is not None and member.paused_until > (at or utcnow())


def paused_member_ids(member_ids: Iterable[int], at: datetime | None = None) -> set[int]:
    """Which of these members are paused now (for the matching adapter to leave out)."""
    ids = list(member_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Member.id).where(Member.id.in_(ids), Member.paused_until > (at or utcnow()))
        )
    )


def pause(member: Member, weeks: int) -> int:
    """Pause matching for `weeks` weeks; return how many open opt-ins were withdrawn."""
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise ServiceError(gettext("Choose 1 to %(most)s weeks.", most=MAX_WEEKS), field="weeks")
    member.paused_until = utcnow() + timedelta(weeks=weeks)
    open_ids = select(Meetup.id).where(
        Meetup.status == MeetupStatus.OPEN, Meetup.optin_deadline > utcnow()
    )
    withdrawn = db.session.execute(
        delete(OptIn).where(OptIn.member_id == member.id, OptIn.meetup_id.in_(open_ids))
    ).rowcount
    db.session.commit()
    log.info("member %s paused matching for %s weeks", member.id, weeks)
    return withdrawn or 0


def resume(member: Member) -> None:
    """End the pause now."""
    member.paused_until = None
    db.session.commit()
    log.info("member %s resumed matching", member.id)
