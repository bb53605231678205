"""Bearer-token authentication for the API: the same access rules as the pages.

Every request but the OpenAPI description needs `Authorization: Bearer <token>`; a missing,
unknown or revoked token gets 401 with `WWW-Authenticate`. Session cookies are never read:
the API acts only as the token says. An organizer token reaches its own community only:
any other community's address answers 404, as strangers get for others' meetups and groups
on the pages. A member token is read-only and answers 403 on organizer endpoints.
"""

from __future__ import annotations

from flask import g, request

from webapp.api.problems import INVALID_TOKEN, ProblemError
from webapp.extensions import db
from webapp.models import ApiToken, ApiTokenKind, Community, Meetup, Member
from webapp.services import api_tokens

REALM = 'Bearer realm="hearth-api"'
#: The largest id a database integer column holds: larger path ids are 404, not a 500.
MAX_ID = 2**31 - 1


def presented_token() -> str | None:
    """The bearer token of the request, if it has one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> ApiToken:
    """The request's working token (kept in `g`), or a 401 problem."""
    secret = presented_token()
    if secret is None:
        raise ProblemError(401, "Send an API token as 'Authorization: Bearer <token>'.",
                         headers={"WWW-Authenticate": REALM})  # fmt: skip
    token = api_tokens.authenticate(secret)
    if token is None:
        raise ProblemError(
            401,
            "This token is unknown or was revoked.",
            type_=INVALID_TOKEN,
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    g.api_token = token
    return token


def current_token() -> ApiToken:
    """The token `authenticate` accepted for this request."""
    return g.api_token  # type: ignore[no-any-return]


def token_member() -> Member:
    """The member a member token reads for; 403 for an organizer token."""
    token = current_token()
    if token.kind != ApiTokenKind.MEMBER:
        raise _wrong_kind("This endpoint needs a member token.")
    return token.member  # type: ignore[no-any-return]


def organizer_community(slug: str) -> tuple[Community, Member]:
    """The token's community, if `slug` names it, and the organizer it acts as; 403 for a
    member token, 404 for any other community."""
    token = current_token()
    if token.kind != ApiTokenKind.ORGANIZER:
        raise _wrong_kind("This endpoint needs an organizer token.")
    community = token.community
    if community is None or community.slug != slug:
        raise ProblemError(404)
    return community, token.member


def meetup_of(community: Community, meetup_id: int) -> Meetup:
    """A meetup of this community, or a 404 (never one of another community)."""
    if not 0 < meetup_id <= MAX_ID:
        raise ProblemError(404)
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None or meetup.community_id != community.id:
        raise ProblemError(404)
    return meetup


def _wrong_kind(detail: str) -> ProblemError:
    return ProblemError(
        403, detail, headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope"'}
    )
