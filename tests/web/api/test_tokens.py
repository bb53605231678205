"""Token lifecycle: made on the settings and account pages, shown once, hashed at rest,
revoked at once; organizer tokens end with their creator's role."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from tests.helpers import csrf_token
from tests.web.api.conftest import ApiWorld, person
from webapp.extensions import db
from webapp.models import ApiToken, ApiTokenKind, Community, Membership, Role
from webapp.services import api_tokens


def _post(client, page: str, url: str, data: dict) -> object:  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_organizer_token_is_shown_once_and_stored_hashed(api_world: ApiWorld, organizer_world):  # type: ignore[no-untyped-def]
    client = organizer_world.clients["organizer"]
    settings = f"/organize/{api_world.slug}/settings"
    answer = _post(client, settings, settings + "/api-tokens", {"token_name": "Chat bot"})
    assert answer.status_code == 201
    page = answer.get_data(as_text=True)
    secret = page.split('id="new-api-token">')[1].split("<")[0]
    assert secret.startswith("hth_") and len(secret) > 40
    row = db.session.scalars(select(ApiToken).filter_by(name="Chat bot")).one()
    assert row.kind == ApiTokenKind.ORGANIZER and row.member.email == "organizer@example.org"
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.token_hash, row.prefix, row.name} and secret.startswith(row.prefix)
    again = client.get(settings).get_data(as_text=True)
    assert secret not in again and "Chat bot" in again and row.prefix in again
    assert all(secret not in value for _, value in answer.headers)  # never in the cookie

    url = f"/api/v1/communities/{api_world.slug}"
    assert api_world.client.get(url, headers={"Authorization": f"Bearer {secret}"}).status == (
        "200 OK"
    )
    db.session.refresh(row)
    assert row.last_used_at is not None
    revoked = _post(client, settings, settings + "/api-tokens/revoke", {"token_id": str(row.id)})
    assert revoked.status_code == 302
    answer = api_world.client.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert "revoked" in client.get(settings).get_data(as_text=True)


def test_a_token_of_another_community_cannot_be_revoked_here(api_world: ApiWorld, organizer_world):  # type: ignore[no-untyped-def]
    other = db.session.scalars(select(ApiToken).filter_by(name="Other site")).one()
    settings = f"/organize/{api_world.slug}/settings"
    _post(
        organizer_world.clients["organizer"],
        settings,
        settings + "/api-tokens/revoke",
        {"token_id": str(other.id)},
    )
    db.session.refresh(other)
    assert other.is_active


def test_member_token_made_on_the_account_page_replaces_the_old_one(  # type: ignore[no-untyped-def]
    api_world: ApiWorld, organizer_world
):
    client = organizer_world.clients["member"]
    answer = _post(client, "/account", "/account/api-token", {"api-token_name": "Calendar"})
    assert answer.status_code == 201
    secret = answer.get_data(as_text=True).split('id="new-api-token">')[1].split("<")[0]
    assert secret not in client.get("/account").get_data(as_text=True)
    me = "/api/v1/me/groups"
    assert api_world.call("member", "GET", me).status_code == 401  # the old one stopped
    ok = api_world.client.get(me, headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200
    assert _post(client, "/account", "/account/api-token/revoke", {}).status_code == 302
    gone = api_world.client.get(me, headers={"Authorization": f"Bearer {secret}"})
    assert gone.status_code == 401


def test_an_organizer_token_stops_when_its_creator_stops_organising(api_world: ApiWorld):  # type: ignore[no-untyped-def]
    community = db.session.query(Community).filter_by(slug=api_world.slug).one()
    membership = db.session.scalars(
        select(Membership).filter_by(
            community_id=community.id, member_id=person("organizer@example.org").id
        )
    ).one()
    membership.role = Role.MEMBER
    db.session.commit()
    answer = api_world.call("organizer", "GET", f"/api/v1/communities/{api_world.slug}")
    assert answer.status_code == 401


def test_unknown_and_malformed_tokens_get_401_with_www_authenticate(api_world: ApiWorld):  # type: ignore[no-untyped-def]
    url = f"/api/v1/communities/{api_world.slug}"
    for header in ("", "Bearer", "Bearer hth_nope", "Basic abc", "Bearer " + "x" * 300):
        answer = api_world.client.get(url, headers={"Authorization": header} if header else {})
        assert answer.status_code == 401, header
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.mimetype == "application/problem+json"


def test_no_session_is_used_or_set(api_world: ApiWorld, organizer_world):  # type: ignore[no-untyped-def]
    """A logged-in browser without a token gets 401: the API never reads the cookie."""
    browser = organizer_world.clients["organizer"]
    assert browser.get(f"/api/v1/communities/{api_world.slug}").status_code == 401
    answer = api_world.call("organizer", "GET", f"/api/v1/communities/{api_world.slug}")
    assert "Set-Cookie" not in answer.headers


def test_names_are_checked(api_world: ApiWorld):  # type: ignore[no-untyped-def]
    import pytest

    from webapp.services.errors import ServiceError

    community = db.session.query(Community).filter_by(slug=api_world.slug).one()
    with pytest.raises(ServiceError):
        api_tokens.create_organizer_token(community, person("organizer@example.org"), "  ")
    with pytest.raises(ServiceError):  # only organizers
        api_tokens.create_organizer_token(community, person("member@example.org"), "Mine")
