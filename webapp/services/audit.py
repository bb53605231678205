"""Recording and listing what organizers do, for the community's audit log.

`record` adds an entry to the caller's session, so the entry commits (or rolls back)
together with the change it describes: a change is never logged without happening,
nor happens without being logged.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Community, Member

log = logging.getLogger(__name__)


def record(
    community: Community | int,
    actor: Member | None,
    action: str,
    summary: str,
    **detail: object,
) -> AuditEntry:
    """Add one audit entry (who, what, when) to the current transaction."""
    community_id = community if isinstance(community, int) else community.id
    actor_id = actor.id if actor is not None and getattr(actor, "id", None) else None
    entry = AuditEntry(
        community_id=community_id,
        actor_id=actor_id,
        action=action,
        summary=summary[:500],
        detail=detail,
    )
    db.session.add(entry)
    log.info("audit community=%s actor=%s action=%s", community_id, actor_id, action)
    return entry


def entries(community: Community, limit: int = 200) -> list[AuditEntry]:
    """The community's most recent audit entries, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.community_id == community.id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
