"""Joining a community by its invite link or from the public listing, and leaving it."""

from __future__ import annotations

import logging

from flask_babel import gettext
from sqlalchemy import delete, func, select

from webapp.extensions import db
from webapp.models import Community, Meetup, MeetupStatus, Member, Membership, OptIn, Role
from webapp.services.communities import join, role_of
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)


def community_for_invite(code: str) -> Community | None:
    """The community whose current invite code this is (old, rotated codes find nothing)."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Community).where(Community.invite_code == code))


def join_by_invite(member: Member, code: str) -> tuple[Community, bool]:
    """Join the community of an invite code; return it and whether the member is new there."""
    community = community_for_invite(code)
    if community is None:
        raise ServiceError(gettext("This invite link does not work any more. Ask for a new one."))
    return community, join(member, community)


def leave(member: Member, community: Community) -> None:
    """Leave a community; opt-ins to its open meetups are withdrawn. The last organizer
    cannot leave (the community would have nobody to run it)."""
    role = role_of(member, community)
    if role is None:
        raise ServiceError(gettext("You are not a member of this community."))
    if role == Role.ORGANIZER:
        organizers = db.session.scalar(
            select(func.count()).where(
                Membership.community_id == community.id, Membership.role == Role.ORGANIZER
            )
        )
        if organizers <= 1:
            raise ServiceError(
                gettext(
                    "You are its only organizer. Make someone else an organizer before you leave."
                )
            )
    open_meetups = select(Meetup.id).where(
        Meetup.community_id == community.id, Meetup.status == MeetupStatus.OPEN
    )
    db.session.execute(
        delete(OptIn).where(OptIn.member_id == member.id, OptIn.meetup_id.in_(open_meetups))
    )
    db.session.execute(
        delete(Membership).where(
            Membership.member_id == member.id, Membership.community_id == community.id
        )
    )
    db.session.commit()
    log.info("member %s left community %s", member.id, community.id)
