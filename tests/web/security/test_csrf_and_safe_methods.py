"""CSRF on every state-changing route, GET never changes state, no open redirect through
`next` (issue 8, item 7). All walks are generated from the url_map, so new routes are covered."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.helpers import PASSWORD, csrf_token, sign_up
from tests.web.security.route_walk import all_routes, fill, parameter_values
from webapp import create_app
from webapp.auth.routes import _safe_next
from webapp.extensions import db
from webapp.models import OutboxEmail

ROUTES = all_routes(create_app())
POST_ROUTES = [route for route in ROUTES if "POST" in route.methods]
# The one-click email links are exempt: their signed, single-purpose token in the URL is the
# CSRF protection (see webapp/links/__init__.py).
TOKEN_PROTECTED = {route.endpoint for route in POST_ROUTES if route.endpoint.startswith("links.")}
# The JSON API (issue 17) reads no cookie, only an Authorization: Bearer token, which a
# cross-site form cannot send: it is exempt too (a cookie alone gets 401, tests/web/api).
BEARER_ONLY = {route.endpoint for route in POST_ROUTES if route.endpoint.startswith("api.")}
GET_ROUTES = [route for route in ROUTES if "GET" in route.methods]
# A derived cache, not state: the organizer dashboard stores its computed figures on first
# view (idempotent, recomputable, invisible to members). Every other table must not move.
READ_CACHES = {"dashboard_snapshots"}


def test_only_the_signed_link_endpoints_are_exempt() -> None:
    assert {
        "links.one_click",
        "links.email_settings",
        "links.feedback_form",
    } == TOKEN_PROTECTED
    assert len(POST_ROUTES) - len(TOKEN_PROTECTED) >= 30
    assert all(route.rule.startswith("/api/") for route in ROUTES if route.endpoint in BEARER_ONLY)


@pytest.mark.parametrize(
    "route",
    [route for route in POST_ROUTES if route.endpoint not in TOKEN_PROTECTED | BEARER_ONLY],
    ids=lambda route: route.endpoint,
)
def test_post_without_csrf_token_is_refused(seeded, route) -> None:  # type: ignore[no-untyped-def]
    url = fill(route.rule, parameter_values(seeded.slug, seeded.meetup_id))
    before = _row_counts()
    for who in ("organizer", "anonymous"):
        response = seeded.clients[who].post(url, data={"email": "x@example.org"})
        assert response.status_code == 400, (who, url, response.status_code)
        assert "Your form expired" in response.get_data(as_text=True)
    assert _row_counts() == before


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in READ_CACHES
    }


def test_crawling_every_get_route_changes_no_row(seeded) -> None:  # type: ignore[no-untyped-def]
    """Every GET, for every kind of visitor, with real ids: no table (outbox included)
    gains or loses a row."""
    values = parameter_values(seeded.slug, seeded.meetup_id)
    before = _row_counts()
    assert OutboxEmail.__tablename__ in before and len(before) >= 15
    visited = 0
    for who in ("anonymous", "member", "organizer", "other_organizer"):
        for route in GET_ROUTES:
            response = seeded.clients[who].get(fill(route.rule, values))
            response.close()
            assert response.status_code < 500, (who, route.rule)
            visited += 1
    assert visited == 4 * len(GET_ROUTES)
    assert _row_counts() == before


def test_login_follows_only_same_site_next(client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/me").get_data(True))})
    for hostile in ("https://evil.example", "//evil.example", "/\\evil.example", "/\\/evil"):
        page = client.get("/login", query_string={"next": hostile})
        response = client.post(
            "/login",
            query_string={"next": hostile},
            data={
                "email": "sam@example.org",
                "password": PASSWORD,
                "csrf_token": csrf_token(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/me", hostile
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/me").get_data(True))})


@given(st.text(max_size=40))
def test_safe_next_never_leaves_the_site(target: str) -> None:
    with create_app({"TESTING": True}).test_request_context():
        result = _safe_next(target)
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result
    assert result in (target, "/me")


def test_no_page_repeats_an_element_id(seeded) -> None:  # type: ignore[no-untyped-def]
    """Pages with several forms (the organizer's meetup page, account settings) carry one
    CSRF input per form; none of them, nor anything else, may repeat an id."""
    values = parameter_values(seeded.slug, seeded.meetup_id)
    pages = 0
    for who in ("anonymous", "member", "organizer"):
        for route in GET_ROUTES:
            response = seeded.clients[who].get(fill(route.rule, values))
            if response.status_code == 200 and response.mimetype == "text/html":
                ids = re.findall(r'\sid="([^"]+)"', response.get_data(as_text=True))
                repeated = sorted({i for i in ids if ids.count(i) > 1})
                assert not repeated, (who, route.rule, repeated)
                pages += 1
            response.close()
    assert pages >= 20
