"""Blocks: once a member blocks another, the two are never grouped again (both ways).

`blocked_pairs` is what the matching adapter turns into the instance's `blocks`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Block, Member
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)


def block(member: Member, other_id: int, *, commit: bool = True) -> bool:
    """Block another member for good; return False if already blocked."""
    if other_id == member.id:
        raise ServiceError(gettext("You cannot block yourself."))
    if db.session.scalar(
        select(Block.id).where(Block.blocker_id == member.id, Block.blocked_id == other_id)
    ):
        return False
    db.session.add(Block(blocker_id=member.id, blocked_id=other_id))
    if commit:
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
    log.info("member %s blocked a member", member.id)
    return True


def blocked_pairs(member_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Every (smaller id, larger id) pair among these members where either blocked the other."""
    ids = list(member_ids)
    if not ids:
        return set()
    rows = db.session.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            Block.blocker_id.in_(ids), Block.blocked_id.in_(ids)
        )
    )
    return {(min(a, b), max(a, b)) for a, b in rows}


_WITH_ID = bindparam("member_id")
#: Built once: the group page asks on every view (see services/feedback.py).
_BLOCKS_WITH = select(Block.blocker_id, Block.blocked_id).where(
    or_(Block.blocker_id == _WITH_ID, Block.blocked_id == _WITH_ID)
)


def blocked_with(member_id: int) -> set[int]:
    """Everyone this member blocked or was blocked by."""
    rows = db.session.execute(_BLOCKS_WITH, {"member_id": member_id})
    return {b if a == member_id else a for a, b in rows}


def blocked_by(member_id: int) -> set[int]:
    """Everyone this member blocked."""
    return set(db.session.scalars(select(Block.blocked_id).where(Block.blocker_id == member_id)))
