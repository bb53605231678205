"""Communities: creating them, joining them, and who may organise them."""

from __future__ import annotations

import logging
import re
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Community, Member, Membership, Role
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)


def slugify(name: str) -> str:
    """A URL-safe name: lower-case ASCII words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return slug or "community"


def check_timezone(name: str) -> str:
    """Return the IANA time zone name if it exists, else raise ServiceError."""
    name = (name or "UTC").strip()
    if name not in available_timezones() and name != "UTC":
        raise ServiceError("Please choose a time zone such as Europe/Berlin.", field="timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(
            "Please choose a time zone such as Europe/Berlin.", field="timezone"
        ) from None
    return name


def create_community(
    organizer: Member, name: str, description: str = "", timezone: str = "UTC"
) -> Community:
    """Create a community with its creator as organizer."""
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 120:
        raise ServiceError("Community names need 2 to 120 characters.", field="name")
    if len(description or "") > 2000:
        raise ServiceError("Please keep the description to 2,000 characters.", field="description")
    slug = slugify(name)
    if db.session.scalar(select(func.count()).where(Community.slug == slug)):
        slug = f"{slug}-{secrets.token_hex(3)}"
    community = Community(
        name=name,
        slug=slug,
        description=(description or "").strip(),
        timezone=check_timezone(timezone),
    )
    community.memberships.append(Membership(member=organizer, role=Role.ORGANIZER))
    db.session.add(community)
    db.session.commit()
    log.info("member %s created community %s", organizer.id, community.id)
    return community


def role_of(member: Member | None, community: Community) -> Role | None:
    """The member's role in the community, or None if they are not in it."""
    if member is None or not getattr(member, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership.role).where(
            Membership.community_id == community.id, Membership.member_id == member.id
        )
    )


def join(member: Member, community: Community) -> bool:
    """Add a member to a community; return False if they were already in it."""
    if role_of(member, community) is not None:
        return False
    db.session.add(Membership(community_id=community.id, member_id=member.id, role=Role.MEMBER))
    db.session.commit()
    log.info("member %s joined community %s", member.id, community.id)
    return True


def communities_of(member: Member) -> list[tuple[Community, Role]]:
    """Every community the member belongs to, with their role, by name."""
    rows = db.session.execute(
        select(Community, Membership.role)
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.member_id == member.id)
        .order_by(Community.name)
    )
    return [(community, role) for community, role in rows]
