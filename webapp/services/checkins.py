"""The optional loneliness check-in (UCLA-3 style): the member's own dated trend, and
anonymous aggregates that are only ever given out above a minimum number of answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Community, LonelinessCheckin, Member, Membership
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

#: Aggregates over fewer answers than this are withheld (they could identify someone).
MIN_ANSWERS = 10


def record(member: Member, lack_companionship: int, left_out: int, isolated: int) -> None:
    """Store one dated check-in for the member."""
    answers = (lack_companionship, left_out, isolated)
    if any(not isinstance(a, int) or not 1 <= a <= 3 for a in answers):
        raise ServiceError(gettext("Each answer is 1, 2 or 3."))
    db.session.add(
        LonelinessCheckin(
            member_id=member.id,
            lack_companionship=lack_companionship,
            left_out=left_out,
            isolated=isolated,
        )
    )
    db.session.commit()
    log.info("member %s checked in", member.id)


def history(member: Member) -> list[LonelinessCheckin]:
    """The member's own check-ins, oldest first: their trend."""
    return list(
        db.session.scalars(
            select(LonelinessCheckin)
            .where(LonelinessCheckin.member_id == member.id)
            .order_by(LonelinessCheckin.created_at, LonelinessCheckin.id)
        )
    )


@dataclass(frozen=True)
class Aggregate:
    """Anonymous figures over members' latest check-ins."""

    answers: int
    mean_score: float
    share_often_lonely: float  # share with a score of 7 or more (of 9)


def community_aggregate(community: Community, minimum: int = MIN_ANSWERS) -> Aggregate | None:
    """Over each current member's latest check-in; None below `minimum` answers."""
    latest = (
        select(LonelinessCheckin.member_id, func.max(LonelinessCheckin.id).label("last_id"))
        .join(Membership, Membership.member_id == LonelinessCheckin.member_id)
        .where(Membership.community_id == community.id)
        .group_by(LonelinessCheckin.member_id)
        .subquery()
    )
    score = LonelinessCheckin.lack_companionship + LonelinessCheckin.left_out
    score = score + LonelinessCheckin.isolated
    scores = list(
        db.session.scalars(select(score).join(latest, latest.c.last_id == LonelinessCheckin.id))
    )
    if len(scores) < max(minimum, 1):
        return None
    return Aggregate(
        answers=len(scores),
        mean_score=round(sum(scores) / len(scores), 2),
        share_often_lonely=round(sum(s >= 7 for s in scores) / len(scores), 2),
    )
