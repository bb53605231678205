"""No member reads another member's data, and forms assign only what they show (issue 8,
item 6).

Sam is logged in; Ana (in Sam's group), Ben and Cleo (in another group) carry secret markers
in their profile, availability and feedback. Hypothesis draws ids (real ones of every kind
and arbitrary integers) into every id-taking member route and into the query string of the
profile, check-in, connections and export pages: no answer ever holds another member's
marker, email or availability, and a group Sam is not in is a 404.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers import PASSWORD, log_in, sign_up, submit
from tests.web.members.world import (
    community_with,
    free_on,
    matched_group,
    move_to_past,
    open_meetup,
    person,
)
from webapp.extensions import db
from webapp.models import Community, Group, GroupMember, Member, Membership
from webapp.services import feedback

OTHERS = ("Ana", "Ben", "Cleo")
#: Sam's own window, and one that only the others have (so it must never show in Sam's data).
SAM_WINDOW, OTHERS_WINDOW = (1, "evening"), (5, "morning")


def _secret(name: str, what: str) -> str:
    return f"{what}-{name}-secret"


@pytest.fixture()
def isolated(app):  # type: ignore[no-untyped-def]
    """Sam and Ana met in one group, Ben and Cleo in another; everyone left feedback."""
    people = {name: person(name) for name in ("Sam", *OTHERS)}
    for name, member in people.items():
        member.area, member.diet = _secret(name, "area"), _secret(name, "diet")
        member.about, member.accessibility_needs = _secret(name, "about"), _secret(name, "access")
        free_on(member, *(SAM_WINDOW if name == "Sam" else OTHERS_WINDOW))
    db.session.commit()
    meetup = open_meetup(community_with(list(people.values())))
    ours = matched_group(meetup, [people["Sam"], people["Ana"]])
    theirs = Group(meetup_id=meetup.id, slot=meetup.slots[0], score=1.0, why=["sci-fi"])
    db.session.add(theirs)
    db.session.commit()
    for name in ("Ben", "Cleo"):
        theirs.members.append(GroupMember(meetup_id=meetup.id, member_id=people[name].id))
    db.session.commit()
    move_to_past(meetup)
    for name, group in (("Sam", ours), ("Ana", ours), ("Ben", theirs), ("Cleo", theirs)):
        mates = [s.member_id for s in group.members if s.member_id != people[name].id]
        feedback.submit(
            people[name],
            group,
            feedback.Answer(True, 4, dict.fromkeys(mates, "again"), note=_secret(name, "note")),
        )
    client = app.test_client()
    log_in(client, "sam@example.org", PASSWORD)
    ids = sorted(
        {
            *(m.id for m in people.values()),
            ours.id,
            theirs.id,
            meetup.id,
            *db.session.scalars(select(Membership.id)),
            *db.session.scalars(select(Community.id)),
        }
    )
    return {"client": client, "people": people, "ours": ours.id, "ids": ids}


def _leaks(text: str) -> list[str]:
    """Every other member's marker or address found in a response."""
    markers = [
        _secret(name, what)
        for name in OTHERS
        for what in ("area", "diet", "about", "access", "note")
    ]
    markers += [f"{name.lower()}@example.org" for name in OTHERS]
    return [marker for marker in markers if marker in text]


ID_PAGES = (
    "/me/groups/{id}",
    "/me/groups/{id}/feedback",
    "/me/groups/{id}/calendar.ics",
)
QUERY_PAGES = ("/me", "/me/profile", "/me/check-in", "/me/connections", "/account")
QUERY_KEYS = ("id", "member_id", "user_id", "group_id", "member")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pick=st.integers(0, 1000), arbitrary=st.integers(-(2**31), 2**31 - 1), use=st.booleans())
def test_ids_drawn_anywhere_never_show_another_members_data(isolated, pick, arbitrary, use) -> None:  # type: ignore[no-untyped-def]
    real = isolated["ids"][pick % len(isolated["ids"])]
    some_id = real if use else arbitrary
    client = isolated["client"]
    for page in ID_PAGES:
        if some_id < 0:
            continue  # not a route (the int converter takes no sign): a plain 404
        response = client.get(page.format(id=some_id))
        body = response.get_data(as_text=True)
        assert not _leaks(body), (page, some_id)
        if some_id != isolated["ours"]:
            assert response.status_code == 404, (page, some_id, response.status_code)
    for page in QUERY_PAGES:
        response = client.get(page, query_string={key: some_id for key in QUERY_KEYS})
        assert response.status_code == 200, page
        assert not _leaks(response.get_data(as_text=True)), (page, some_id)
    export = client.get("/account/my-data.json", query_string={k: some_id for k in QUERY_KEYS})
    data = json.loads(export.get_data(as_text=True))
    assert data["account"]["email"] == "sam@example.org"
    assert data["profile"]["area"] == _secret("Sam", "area")
    assert data["profile"]["availability"] == [{"weekday": SAM_WINDOW[0], "part": SAM_WINDOW[1]}]
    assert not _leaks(json.dumps(data))


def test_the_own_group_page_shows_mates_but_none_of_their_private_data(isolated) -> None:  # type: ignore[no-untyped-def]
    client = isolated["client"]
    for page in ID_PAGES:
        response = client.get(page.format(id=isolated["ours"]))
        assert response.status_code == 200, page
        assert not _leaks(response.get_data(as_text=True)), page
    assert "Ana" in client.get(f"/me/groups/{isolated['ours']}").get_data(as_text=True)


# -- mass assignment -------------------------------------------------------------------------

EXTRA_FIELDS = {
    "id": "4242",
    "member_id": "4242",
    "role": "organizer",
    "email_confirmed": "1",
    "email_confirmed_at": "2020-01-01T00:00:00",
    "password_hash": "x",
    "session_token": "0" * 32,
    "deleted_at": "2020-01-01",
    "email": "taken-over@example.org",
    "is_admin": "1",
}
GUARDED = ("id", "email", "email_confirmed_at", "password_hash", "session_token", "deleted_at")


def _guarded(member_id: int) -> dict[str, object]:
    db.session.expire_all()
    member = db.session.get(Member, member_id)
    return {column: getattr(member, column) for column in GUARDED}


def test_sign_up_ignores_posted_role_id_and_confirmation(app, client) -> None:  # type: ignore[no-untyped-def]
    response = submit(
        client,
        "/signup",
        {**EXTRA_FIELDS, "email": "new@example.org", "display_name": "New", "password": PASSWORD},
    )
    assert response.status_code == 302
    member = db.session.scalars(select(Member)).one()
    assert member.email == "new@example.org" and member.id != 4242
    assert member.email_confirmed_at is None and member.deleted_at is None
    assert member.password_hash.startswith("$argon2id$")
    assert db.session.scalar(select(Membership.id)) is None


@pytest.mark.parametrize(
    ("page", "action", "fields"),
    [
        ("/me/profile", None, {"display_name": "Sam", "area": "Mitte"}),
        ("/me/check-in", None, {"lonely": "2", "connected": "2", "new_people": "1"}),
        ("/account", "/account/password", {"current-password": PASSWORD}),
        ("/communities/new", None, {"name": "Sam's Circle"}),
    ],
)
def test_member_forms_ignore_posted_role_id_and_confirmation(app, page, action, fields) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_up(client, "sam@example.org", "Sam")
    sam = db.session.scalars(select(Member)).one()
    other = person("Ana")
    community = community_with([sam], organizer=other)
    before = _guarded(sam.id)
    response = submit(client, page, {**EXTRA_FIELDS, **fields}, action=action)
    assert response.status_code in (200, 302, 400), response.status_code
    assert _guarded(sam.id) == before
    roles = dict(
        db.session.execute(
            select(Membership.community_id, Membership.role).where(Membership.member_id == sam.id)
        ).all()
    )
    assert roles[community.id].value == "member"
    assert db.session.get(Member, 4242) is None


def test_joining_with_a_posted_role_makes_a_plain_member(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_up(client, "sam@example.org", "Sam")
    community = community_with([], organizer=person("Ana"))
    response = submit(
        client, f"/c/{community.slug}", EXTRA_FIELDS, action=f"/c/{community.slug}/join"
    )
    assert response.status_code == 302
    sam = db.session.scalars(select(Member).where(Member.email == "sam@example.org")).one()
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.community_id == community.id, Membership.member_id == sam.id
        )
    )
    assert role is not None and role.value == "member"
    assert db.session.get(Member, 4242) is None
