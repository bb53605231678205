"""Access control generated from the route map (issue 8, item 6).

Every route and method in `app.url_map` is requested by four visitors: anonymous, a member
of the community, its organizer, and the organizer of another community. What each gets is
compared with `access_table.csv`, checked into the repo next to this file, so a new route
without a row, a row without a route, or a changed answer fails here (the failure prints the
observed rows, to be reviewed before they are pasted in).

Each POST row runs in a fresh world (its requests may change state) with a valid CSRF token
and an empty form; visitors go least privileged first. GET rows share one world: GETs change
no state (test_csrf_and_safe_methods.py proves it).

API rows (/api/, issue 17) are requested with bearer tokens instead of cookies: the member's
member token, the organizer's and the other organizer's organizer tokens, none for the
anonymous visitor; bodies are an empty JSON object. There 401 means "no valid token".
"""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.helpers import csrf_token
from tests.web.members.world import matched_group
from tests.web.organizer.conftest import World
from tests.web.organizer.conftest import world as organizer_world  # noqa: F401
from tests.web.security.route_walk import all_routes, fill, parameter_values
from webapp import create_app
from webapp.extensions import db
from webapp.models import GroupMember, Meetup, Member
from webapp.services.communities import rotate_invite_code

TABLE = Path(__file__).with_name("access_table.csv")
VISITORS = ("anonymous", "member", "organizer", "other_organizer")
CELLS = {"ok", "login", "401", "403", "404"}
API = "/api/"


def _read_table() -> dict[tuple[str, str], dict[str, str]]:
    """(method, rule) -> visitor -> expected cell; lines starting with # are comments."""
    with TABLE.open(newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {(row["method"], row["rule"]): {v: row[v] for v in VISITORS} for row in rows}


EXPECTED = _read_table()
CASES = sorted(
    (method, route.rule)
    for route in all_routes(create_app())
    for method in route.methods
    if route.endpoint != "static"
)
PAGE_CASES = [case for case in CASES if not case[1].startswith(API)]
API_CASES = [case for case in CASES if case[1].startswith(API)]
POST_CASES = [case for case in PAGE_CASES if case[0] == "POST"]
GET_CASES = [case for case in PAGE_CASES if case[0] == "GET"]


def test_every_route_has_exactly_one_row() -> None:
    missing = sorted(set(CASES) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(CASES))
    assert not missing, f"routes without a row in {TABLE.name}: {missing}"
    assert not stale, f"rows in {TABLE.name} for routes that no longer exist: {stale}"
    assert len(CASES) >= 70


def test_the_table_keeps_the_house_rules() -> None:
    """Independent of what the app answers: the table itself may not grant what the rules
    forbid (so a wrong row cannot be pasted in unnoticed)."""
    for (method, rule), row in EXPECTED.items():
        assert set(row.values()) <= CELLS, (method, rule, row)
        if rule.startswith("/organize/<slug>"):
            assert row["anonymous"] == "login", (method, rule)
            assert row["member"] == row["other_organizer"] == "403", (method, rule)
        if rule.startswith(("/me", "/account", "/organize", "/communities/new", "/logout")):
            assert row["anonymous"] == "login", (method, rule)
        if rule.startswith("/me/groups/"):  # the group is the member's, not the organizers'
            assert row["organizer"] == row["other_organizer"] == "404", (method, rule)
        if rule.startswith("/api/v1/communities/<slug>"):
            assert row["anonymous"] == "401", (method, rule)
            assert row["member"] == "403" and row["other_organizer"] == "404", (method, rule)
        if rule.startswith("/api/v1/me/"):
            assert row["anonymous"] == "401", (method, rule)
            assert row["organizer"] == row["other_organizer"] == "403", (method, rule)


@pytest.fixture()
def access_world(organizer_world: World) -> World:  # noqa: F811
    """The organizer tests' two communities, with the member placed in a published group
    (so the member's group pages have a group of their own) and an invitation code."""
    member = db.session.query(Member).filter_by(email="member@example.org").one()
    others = db.session.query(Member).filter(Member.email.like("p%@example.org")).limit(3).all()
    meetup = db.session.get(Meetup, organizer_world.meetup_id)
    matched_group(meetup, [member, *others])
    organizer = db.session.query(Member).filter_by(email="organizer@example.org").one()
    rotate_invite_code(meetup.community, organizer)  # so /join/<code> has a real code
    return organizer_world


def _cell(response: TestResponse) -> str:
    """What a visitor got, in the table's words: through the door (the view answered, with
    its page, a redirect or a form error), sent to log in, forbidden, or not found."""
    if response.request.path.startswith(API):
        return _api_cell(response)
    if response.status_code in (403, 404):
        return str(response.status_code)
    if 300 <= response.status_code < 400:
        target = urlsplit(response.headers.get("Location", "")).path
        return "login" if target == "/login" else "ok"
    if response.status_code in (200, 400):
        return "ok"
    return f"unexpected {response.status_code}"


def _api_cell(response: TestResponse) -> str:
    """An API answer: no valid token, forbidden, not found, or the view answered (its data,
    or its own refusal of the empty body: 409, 415, 422)."""
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    if response.status_code in (200, 201, 409, 415, 422):
        return "ok"
    return f"unexpected {response.status_code}"


def _api_tokens() -> dict[str, str]:
    """A token per visitor (none for the anonymous one), made through the service."""
    from webapp.models import Community
    from webapp.services import api_tokens

    first, second = db.session.query(Community).order_by(Community.id).limit(2).all()
    organizer, other = (
        db.session.query(Member).filter_by(email=email).one()
        for email in ("organizer@example.org", "other_organizer@example.org")
    )
    member = db.session.query(Member).filter_by(email="member@example.org").one()
    return {
        "member": api_tokens.create_member_token(member)[1],
        "organizer": api_tokens.create_organizer_token(first, organizer, "table")[1],
        "other_organizer": api_tokens.create_organizer_token(second, other, "table")[1],
    }


def _api_row(world: World, method: str, rule: str, order: tuple[str, ...]) -> dict[str, str]:
    url = fill(rule, _values(world))
    tokens = _api_tokens()
    client = world.clients["anonymous"]
    observed = {}
    for visitor in order:
        headers = {"Authorization": f"Bearer {tokens[visitor]}"} if visitor in tokens else {}
        body = {} if method not in ("GET", "HEAD") else None
        response = client.open(url, method=method, headers=headers, json=body)
        response.close()
        observed[visitor] = _cell(response)
    return observed


@pytest.mark.parametrize(("method", "rule"), API_CASES, ids=[f"{m} {r}" for m, r in API_CASES])
def test_api_routes_answer_as_the_table_says(access_world: World, method, rule) -> None:  # type: ignore[no-untyped-def]
    order = ("anonymous", "other_organizer", "member", "organizer")
    observed = _api_row(access_world, method, rule, order)
    assert observed == EXPECTED.get((method, rule)), _observed_row(method, rule, observed)


def _post(client: FlaskClient, url: str) -> TestResponse:
    """A POST with a valid CSRF token and no other field."""
    page = client.get("/me")
    if page.status_code != 200:
        page = client.get("/login")
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def _observed_row(method: str, rule: str, row: dict[str, str]) -> str:
    return ",".join([method, rule, *(row[v] for v in VISITORS)])


def test_get_routes_answer_as_the_table_says(access_world: World) -> None:
    values = _values(access_world)
    wrong = []
    for method, rule in GET_CASES:
        url = fill(rule, values)
        observed = {}
        for visitor in VISITORS:
            response = access_world.clients[visitor].get(url)
            response.close()
            observed[visitor] = _cell(response)
        if observed != EXPECTED.get((method, rule)):
            wrong.append(_observed_row(method, rule, observed))
    assert not wrong, "observed rows differing from the table:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("method", "rule"), POST_CASES, ids=[rule for _, rule in POST_CASES])
def test_post_routes_answer_as_the_table_says(access_world: World, method, rule) -> None:  # type: ignore[no-untyped-def]
    url = fill(rule, _values(access_world))
    observed = {}
    for visitor in ("anonymous", "other_organizer", "member", "organizer"):
        observed[visitor] = _cell(_post(access_world.clients[visitor], url))
    assert observed == EXPECTED.get((method, rule)), _observed_row(method, rule, observed)


def _values(world: World) -> dict[str, str]:
    values = parameter_values(world.slug, world.meetup_id)
    member = db.session.query(Member).filter_by(email="member@example.org").one()
    seat = db.session.query(GroupMember).filter_by(member_id=member.id).one()
    values["group_id"] = str(seat.group_id)
    meetup = db.session.get(Meetup, world.meetup_id)
    values["slot_id"] = str(meetup.slots[0].id)
    return values
