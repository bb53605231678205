"""Communities: creating them, joining them, and who may organise them."""

from __future__ import annotations

import logging
import re
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext
from sqlalchemy import bindparam, func, select

from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import Community, Member, Membership, Role
from webapp.services import audit
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
        raise ServiceError(
            gettext("Please choose a time zone such as Europe/Berlin."), field="timezone"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(
            gettext("Please choose a time zone such as Europe/Berlin."), field="timezone"
        ) from None
    return name


def create_community(
    organizer: Member, name: str, description: str = "", timezone: str = "UTC"
) -> Community:
    """Create a community with its creator as organizer."""
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 120:
        raise ServiceError(gettext("Community names need 2 to 120 characters."), field="name")
    if len(description or "") > 2000:
        raise ServiceError(
            gettext("Please keep the description to 2,000 characters."), field="description"
        )
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
    db.session.flush()
    audit.record(community, organizer, "community.created", f"Created {community.name}")
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


#: Built once (building a statement costs more CPU than running it; the home page asks).
_COMMUNITIES_OF = (
    select(Community, Membership.role)
    .join(Membership, Membership.community_id == Community.id)
    .where(Membership.member_id == bindparam("member_id"))
    .order_by(Community.name)
)


def communities_of(member: Member) -> list[tuple[Community, Role]]:
    """Every community the member belongs to, with their role, by name."""
    rows = db.session.execute(_COMMUNITIES_OF, {"member_id": member.id})
    return [(community, role) for community, role in rows]


def normalise_tag(tag: str) -> str:
    """A tag as stored: lower case, single spaces, no surrounding punctuation."""
    return " ".join(re.sub(r"[^\w\s&+-]", " ", tag.lower()).replace("-", " ").split())[:60]


def clean_tags(tags: list[str]) -> list[str]:
    """Normalised tags with duplicates merged, in first-seen order."""
    seen: dict[str, None] = {}
    for tag in tags:
        name = normalise_tag(tag)
        if name:
            seen.setdefault(name, None)
    return list(seen)


#: "Leave this setting as it is" (the API's partial updates do not send it).
KEEP = "keep"


def check_default_locale(value: str | None) -> str | None:
    """A community's email language: one of the supported codes, or None for English."""
    value = (value or "").strip()
    if not value:
        return None
    if value not in SUPPORTED_LOCALES:
        raise ServiceError(
            gettext("Please choose one of the languages offered."), field="default_locale"
        )
    return value


def update_settings(
    community: Community,
    actor: Member,
    *,
    name: str,
    description: str,
    city: str,
    timezone: str,
    interest_tags: list[str],
    default_locale: str | None = KEEP,  # type: ignore[assignment]
) -> Community:
    """Change a community's details and tag list (duplicates merged) in one audited commit.

    `default_locale` is the language of emails to members who chose none ("" or None for
    English); left out, it stays as it is.
    """
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 120:
        raise ServiceError(gettext("Community names need 2 to 120 characters."), field="name")
    if len(description or "") > 2000:
        raise ServiceError(
            gettext("Please keep the description to 2,000 characters."), field="description"
        )
    tags = clean_tags(interest_tags)
    if len(tags) > 200:
        raise ServiceError(gettext("Please keep the list to 200 tags."), field="interest_tags")
    community.timezone = check_timezone(timezone)
    if default_locale is not KEEP:
        community.default_locale = check_default_locale(default_locale)
    community.name, community.description = name, (description or "").strip()
    community.city = " ".join((city or "").split())[:120]
    merged = len([t for t in interest_tags if t.strip()]) - len(tags)
    community.interest_tags = tags
    audit.record(
        community,
        actor,
        "community.edited",
        f"Edited the community's details ({len(tags)} tags, {merged} duplicates merged)",
    )
    db.session.commit()
    log.info("community %s settings updated", community.id)
    return community


def merge_tag(community: Community, actor: Member, source: str, target: str) -> None:
    """Replace one tag of the community's list by another (kept once)."""
    source, target = normalise_tag(source), normalise_tag(target)
    if source not in (community.interest_tags or []):
        raise ServiceError(gettext("That tag is not in the list."), field="source")
    if not target or source == target:
        raise ServiceError(gettext("Choose a different tag to merge into."), field="target")
    community.interest_tags = clean_tags(
        [target if t == source else t for t in community.interest_tags]
    )
    audit.record(
        community, actor, "community.tags_merged", f"Merged tag {source!r} into {target!r}"
    )
    db.session.commit()


def rotate_invite_code(community: Community, actor: Member) -> str:
    """A new secret invite code; links with the old one stop working."""
    community.invite_code = secrets.token_urlsafe(12)
    audit.record(community, actor, "community.invite_rotated", "Made a new invite link")
    db.session.commit()
    log.info("community %s invite link rotated", community.id)
    return community.invite_code


def add_co_organizer(community: Community, actor: Member, email: str) -> Member:
    """Make an existing member of the community a co-organizer."""
    member = db.session.scalar(select(Member).where(Member.email == (email or "").strip().lower()))
    membership = (
        db.session.scalar(
            select(Membership).where(
                Membership.community_id == community.id, Membership.member_id == member.id
            )
        )
        if member
        else None
    )
    if membership is None:
        raise ServiceError(
            gettext("Only a member of this community can become an organizer."), field="email"
        )
    if membership.role == Role.ORGANIZER:
        raise ServiceError(gettext("They already organise this community."), field="email")
    membership.role = Role.ORGANIZER
    audit.record(
        community,
        actor,
        "community.co_organizer_added",
        f"Made {member.display_name} a co-organizer",
        member_id=member.id,
    )
    db.session.commit()
    log.info("member %s is now an organizer of community %s", member.id, community.id)
    return member


def organizers_of(community: Community) -> list[Member]:
    """The community's organizers, by name."""
    return list(
        db.session.scalars(
            select(Member)
            .join(Membership, Membership.member_id == Member.id)
            .where(Membership.community_id == community.id, Membership.role == Role.ORGANIZER)
            .order_by(Member.display_name)
        )
    )
