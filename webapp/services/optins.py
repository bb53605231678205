"""Members opting in to, or out of, a community's meetups."""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Meetup, MeetupSlot, MeetupStatus, Member, Membership, OptIn
from webapp.models._time import utcnow
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError
from webapp.services.pauses import is_paused

log = logging.getLogger(__name__)


def is_open_for_optin(meetup: Meetup) -> bool:
    """True while members may still opt in or out."""
    return meetup.status == MeetupStatus.OPEN and meetup.optin_deadline > utcnow()


def opt_in(member: Member, meetup: Meetup) -> bool:
    """Opt a community member in; return False if they already were."""
    if role_of(member, meetup.community) is None:
        raise ServiceError("Join the community first to take part in its meetups.")
    if not member.email_confirmed:
        raise ServiceError("Please confirm your email address first: open the link we sent you.")
    if is_paused(member):
        raise ServiceError("You paused matching. Resume it on your page to opt in.")
    if not is_open_for_optin(meetup):
        raise ServiceError("Opt-in for this meetup has closed.")
    if db.session.scalar(
        select(OptIn.id).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)
    ):
        return False
    db.session.add(OptIn(meetup_id=meetup.id, member_id=member.id))
    db.session.commit()
    log.info("member %s opted in to meetup %s", member.id, meetup.id)
    return True


def opt_out(member: Member, meetup: Meetup) -> None:
    """Withdraw a member's opt-in while the meetup is still open."""
    if not is_open_for_optin(meetup):
        raise ServiceError("Opt-in for this meetup has closed, so it can no longer be changed.")
    db.session.execute(
        delete(OptIn).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)
    )
    db.session.commit()
    log.info("member %s opted out of meetup %s", member.id, meetup.id)


#: The home page's open meetups, built once (building a statement costs more CPU than
#: running it): each with its community, slots and venues, and whether the member opted in.
_UPCOMING = (
    select(
        Meetup,
        select(OptIn.id)
        .where(OptIn.member_id == bindparam("member_id"), OptIn.meetup_id == Meetup.id)
        .exists()
        .label("opted"),
    )
    .options(joinedload(Meetup.community), joinedload(Meetup.slots).joinedload(MeetupSlot.venue))
    .join(Membership, Membership.community_id == Meetup.community_id)
    .where(
        Membership.member_id == bindparam("member_id"),
        Meetup.status == MeetupStatus.OPEN,
        Meetup.optin_deadline > bindparam("now"),
    )
    .order_by(Meetup.optin_deadline, Meetup.id)
)


def upcoming_for(member: Member) -> list[tuple[Meetup, bool]]:
    """Open meetups in the member's communities, with whether they opted in (one query:
    the member's home page is the busiest page)."""
    rows = db.session.execute(_UPCOMING, {"member_id": member.id, "now": utcnow()}).unique()
    return [(meetup, bool(is_in)) for meetup, is_in in rows]
