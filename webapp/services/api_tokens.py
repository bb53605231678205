"""API tokens (issue 17): creating, listing, revoking and checking bearer tokens.

A token is 32 random bytes (URL-safe base64) behind a recognisable `hth_` prefix. Only its
SHA-256 is stored: a random token of that strength needs no salt or slow hash, and a
lookup by hash stays one indexed query per API request. The token is returned once, by
the function that creates it, and shown once on the page that asked for it.

An organizer token acts as the organizer who created it, in one community: it stops
working when it is revoked, when that organizer stops organising the community, or when
their account is deleted. A member has at most one member token; making a new one revokes
the old.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import bindparam, select

from webapp.extensions import db
from webapp.models import ApiToken, ApiTokenKind, Community, Member, Role
from webapp.models._time import utcnow
from webapp.services import audit
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

#: What every token starts with, so a leaked one is easy to recognise (and to scan for).
TOKEN_PREFIX = "hth_"
#: Characters of the token kept in clear to tell tokens apart.
SHOWN_CHARS = 10
#: `last_used_at` is written at most this often per token, so reads stay reads.
TOUCH_EVERY = timedelta(minutes=1)
#: Active organizer tokens one community may have.
MAX_ORGANIZER_TOKENS = 20


def digest(token: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 80:
        raise ServiceError(gettext("Please name the token (up to 80 characters)."), field="name")
    return name


def _new_token(kind: ApiTokenKind, name: str, member: Member, community_id: int | None):  # type: ignore[no-untyped-def]
    secret = _new_secret()
    token = ApiToken(
        kind=kind,
        token_hash=digest(secret),
        prefix=secret[:SHOWN_CHARS],
        name=_clean_name(name),
        community_id=community_id,
        member_id=member.id,
    )
    db.session.add(token)
    return token, secret


def organizer_tokens(community: Community) -> list[ApiToken]:
    """The community's organizer tokens, working ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.community_id == community.id, ApiToken.kind == ApiTokenKind.ORGANIZER)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def create_organizer_token(community: Community, actor: Member, name: str) -> tuple[ApiToken, str]:
    """A new organizer token for the community, acting as `actor`; returns the row and the
    token itself, which is never available again."""
    if role_of(actor, community) != Role.ORGANIZER:
        raise ServiceError(gettext("Only the community's organizers can create API tokens."))
    active = [t for t in organizer_tokens(community) if t.is_active]
    if len(active) >= MAX_ORGANIZER_TOKENS:
        raise ServiceError(
            gettext(
                "A community can have %(most)s working tokens; revoke one first.",
                most=MAX_ORGANIZER_TOKENS,
            ),
            field="name",
        )
    token, secret = _new_token(ApiTokenKind.ORGANIZER, name, actor, community.id)
    db.session.flush()
    audit.record(
        community, actor, "api_token.created", f"Created the API token {token.name}",
        token_id=token.id,
    )  # fmt: skip
    db.session.commit()
    log.info("organizer token %s created in community %s", token.id, community.id)
    return token, secret


def revoke_organizer_token(community: Community, actor: Member, token_id: int) -> ApiToken:
    """Revoke one of the community's organizer tokens (at once, for every request after)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.community_id != community.id:
        raise ServiceError(gettext("That token does not exist."))
    if token.is_active:
        token.revoked_at = utcnow()
        audit.record(
            community, actor, "api_token.revoked", f"Revoked the API token {token.name}",
            token_id=token.id,
        )  # fmt: skip
        db.session.commit()
        log.info("organizer token %s revoked", token.id)
    return token


_MEMBER_TOKEN = (
    select(ApiToken)
    .where(
        ApiToken.member_id == bindparam("member_id"),
        ApiToken.kind == ApiTokenKind.MEMBER,
        ApiToken.revoked_at.is_(None),
    )
    .order_by(ApiToken.id.desc())
    .limit(1)
)


def member_token(member: Member) -> ApiToken | None:
    """The member's working member token, if they made one."""
    return db.session.scalars(_MEMBER_TOKEN, {"member_id": member.id}).first()


def create_member_token(member: Member, name: str = "My calendar") -> tuple[ApiToken, str]:
    """A new read-only token for the member's own groups and calendar; an older one stops
    working. Returns the row and the token itself, which is never available again."""
    revoke_member_token(member, commit=False)
    token, secret = _new_token(ApiTokenKind.MEMBER, name, member, None)
    db.session.commit()
    log.info("member %s created a member token", member.id)
    return token, secret


def revoke_member_token(member: Member, *, commit: bool = True) -> bool:
    """Revoke the member's token; False if they had none."""
    token = member_token(member)
    if token is not None:
        token.revoked_at = utcnow()
    if commit:
        db.session.commit()
    return token is not None


_BY_HASH = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))


def authenticate(secret: str) -> ApiToken | None:
    """The working token with this value, or None (unknown, revoked, or its creator no longer
    allowed to act). Marks it used, at most once a minute."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalars(_BY_HASH, {"token_hash": digest(secret)}).first()
    if token is None or not token.is_active:
        return None
    member = token.member
    if member is None or member.deleted_at is not None:
        return None
    if token.kind == ApiTokenKind.ORGANIZER and (
        token.community is None or role_of(member, token.community) != Role.ORGANIZER
    ):
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token
