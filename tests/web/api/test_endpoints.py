"""Every endpoint's happy path, answers checked against the served OpenAPI description;
the access rules; and problem documents for bad input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate

from tests.web.api.conftest import ApiWorld, assert_conforms
from webapp.extensions import db
from webapp.models import AuditEntry, Meetup, MeetupStatus

FUTURE = (datetime.now() + timedelta(days=30)).replace(microsecond=0)


@pytest.fixture()
def spec(api_world: ApiWorld) -> dict:
    answer = api_world.client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def test_the_description_is_valid_openapi_3_1(spec: dict) -> None:
    assert spec["openapi"].startswith("3.1.")
    validate(spec)
    assert len(spec["paths"]) >= 12


def _check(api_world: ApiWorld, spec: dict, who: str, method: str, url: str, status: int, **kw):  # type: ignore[no-untyped-def]
    answer = api_world.call(who, method, url, **kw)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert_conforms(spec, method, url, answer)
    return answer.get_json()


def test_organizer_reads_and_edits_the_community(api_world: ApiWorld, spec: dict) -> None:
    url = f"/api/v1/communities/{api_world.slug}"
    body = _check(api_world, spec, "organizer", "GET", url, 200)
    assert body["slug"] == api_world.slug and body["member_count"] >= 8
    changed = _check(
        api_world, spec, "organizer", "PATCH", url, 200,
        json={"city": "Lyon", "interest_tags": ["Chess", "chess", "go"]},
    )  # fmt: skip
    assert changed["city"] == "Lyon" and changed["interest_tags"] == ["chess", "go"]
    assert changed["name"] == body["name"]
    audit = db.session.query(AuditEntry).filter_by(action="community.edited").one()
    assert audit.actor.email == "organizer@example.org"


def test_meetups_list_create_and_edit(api_world: ApiWorld, spec: dict) -> None:
    base = f"/api/v1/communities/{api_world.slug}/meetups"
    listed = _check(api_world, spec, "organizer", "GET", base, 200)["meetups"]
    assert {m["id"] for m in listed} == {api_world.meetup_id, api_world.published_id}
    created = _check(
        api_world, spec, "organizer", "POST", base, 201,
        json={
            "title": "Picnic",
            "optin_deadline": FUTURE.isoformat(),
            "group_max": 5,
            "slots": [{"starts_at": (FUTURE + timedelta(days=2)).isoformat() + "+00:00",
                       "venue_name": "Park", "lat": 45.7, "lon": 4.8}],
        },
    )  # fmt: skip
    assert created["status"] == "open" and created["group_max"] == 5
    assert created["slots"][0]["venue"]["lat"] == 45.7
    one = _check(api_world, spec, "organizer", "GET", f"{base}/{created['id']}", 200)
    assert one == created
    edited = _check(
        api_world, spec, "organizer", "PATCH", f"{base}/{created['id']}", 200,
        json={"title": "Picnic in the park", "policy": "new_faces"},
    )  # fmt: skip
    assert edited["meetup"]["title"] == "Picnic in the park"
    assert edited["meetup"]["policy"] == "new_faces" and edited["meetup"]["group_max"] == 5


def test_slots_are_added_and_moved_by_the_edit_rules(api_world: ApiWorld, spec: dict) -> None:
    base = f"/api/v1/communities/{api_world.slug}/meetups/{api_world.meetup_id}/slots"
    slot = _check(
        api_world, spec, "organizer", "POST", base, 201,
        json={"starts_at": (FUTURE + timedelta(days=1)).isoformat(), "venue_name": "Bar",
              "capacity": 12},
    )  # fmt: skip
    assert slot["venue"]["name"] == "Bar" and slot["venue"]["capacity"] == 12
    moved = _check(
        api_world, spec, "organizer", "PATCH", f"{base}/{slot['id']}", 200,
        json={"venue_name": "Bar Deux", "starts_at": (FUTURE + timedelta(days=3)).isoformat()},
    )  # fmt: skip
    after = next(s for s in moved["meetup"]["slots"] if s["id"] == slot["id"])
    assert after["venue"]["name"] == "Bar Deux" and after["venue"]["capacity"] == 12
    # meetup_edits' own rule, unchanged: a slot never moves into the past
    past = _check(
        api_world, spec, "organizer", "PATCH", f"{base}/{slot['id']}", 422,
        json={"starts_at": "2001-01-01T10:00:00"},
    )  # fmt: skip
    assert past["type"] == "urn:hearth:problem:refused" and past["detail"]
    # and a published meetup takes no new slot
    published = f"/api/v1/communities/{api_world.slug}/meetups/{api_world.published_id}/slots"
    refused = api_world.call("organizer", "POST", published, json={
        "starts_at": FUTURE.isoformat(), "venue_name": "Late"})  # fmt: skip
    assert refused.status_code == 422


def test_optins_groups_metrics_and_exports(api_world: ApiWorld, spec: dict) -> None:
    base = f"/api/v1/communities/{api_world.slug}"
    optins = _check(
        api_world, spec, "organizer", "GET", f"{base}/meetups/{api_world.meetup_id}/optins", 200
    )["optins"]
    assert len(optins) == 6 and optins[0]["first_name"] == "P0"
    groups = _check(
        api_world, spec, "organizer", "GET", f"{base}/meetups/{api_world.published_id}/groups", 200
    )["groups"]
    names = {m["first_name"] for m in groups[0]["members"]}
    assert "Member" in names and all(" " not in n for n in names)  # first names only
    assert groups[0]["shared"] == "bouldering and sci-fi"
    draft = api_world.call("organizer", "GET", f"{base}/meetups/{api_world.meetup_id}/groups")
    assert draft.status_code == 409 and draft.mimetype == "application/problem+json"
    figures = _check(api_world, spec, "organizer", "GET", f"{base}/metrics", 200)
    assert figures["member_count"] >= 8
    assert {m["meetup_id"] for m in figures["meetups"]} >= {api_world.published_id}
    for name in ("members", "meetups", "depth", "left-out", "ripple", "wellbeing"):
        table = _check(api_world, spec, "organizer", "GET", f"{base}/exports/{name}", 200)
        assert table["name"] == name and table["columns"]
        assert all(set(row) == set(table["columns"]) for row in table["rows"])
    ranged = f"{base}/exports/meetups?start=2001-01-01&end=2001-01-31"
    assert _check(api_world, spec, "organizer", "GET", ranged, 200)["rows"] == []
    bad = _check(api_world, spec, "organizer", "GET", f"{base}/exports/meetups?start=soon", 422)
    assert bad["errors"][0]["field"] == "start"


def test_member_groups_and_calendar(api_world: ApiWorld, spec: dict) -> None:
    groups = _check(api_world, spec, "member", "GET", "/api/v1/me/groups", 200)["groups"]
    assert len(groups) == 1 and groups[0]["meetup_id"] == api_world.published_id
    assert all(" " not in c["first_name"] for c in groups[0]["companions"])
    cal = _check(api_world, spec, "member", "GET", "/api/v1/me/calendar", 200)
    assert cal["feed_url"].endswith(".ics") and "/l/calendar/" in cal["feed_url"]
    assert [e["group_id"] for e in cal["events"]] == [groups[0]["id"]]
    assert api_world.client.get(cal["feed_url"].split("://", 1)[1].split("/", 1)[1].join(
        ["/", ""])).status_code == 200  # fmt: skip


ORGANIZER_URLS = [
    ("GET", "/api/v1/communities/{slug}"),
    ("PATCH", "/api/v1/communities/{slug}"),
    ("GET", "/api/v1/communities/{slug}/meetups"),
    ("POST", "/api/v1/communities/{slug}/meetups"),
    ("GET", "/api/v1/communities/{slug}/meetups/{meetup}"),
    ("PATCH", "/api/v1/communities/{slug}/meetups/{meetup}"),
    ("POST", "/api/v1/communities/{slug}/meetups/{meetup}/slots"),
    ("GET", "/api/v1/communities/{slug}/meetups/{meetup}/optins"),
    ("GET", "/api/v1/communities/{slug}/meetups/{published}/groups"),
    ("GET", "/api/v1/communities/{slug}/metrics"),
    ("GET", "/api/v1/communities/{slug}/exports/members"),
]


def test_access_follows_the_pages(api_world: ApiWorld, spec: dict) -> None:
    """Another community's organizer token: 404 for this community and its meetups (also
    when it names a meetup of this community under its own slug); a member token: 403 on
    organizer endpoints; an organizer token: 403 on member endpoints. Nothing changes."""
    values = {"meetup": api_world.meetup_id, "published": api_world.published_id}
    before = db.session.query(Meetup).count()
    for method, rule in ORGANIZER_URLS:
        url = rule.format(slug=api_world.slug, **values)
        kwargs = {"json": {}} if method != "GET" else {}
        stranger = _check(api_world, spec, "other_organizer", method, url, 404, **kwargs)
        assert stranger["status"] == 404
        own_slug = rule.format(slug=api_world.other_slug, **values)
        if "{meetup}" in rule or "{published}" in rule:
            _check(api_world, spec, "other_organizer", method, own_slug, 404, **kwargs)
        _check(api_world, spec, "member", method, url, 403, **kwargs)
        _check(api_world, spec, "anonymous", method, url, 401, **kwargs)
    for url in ("/api/v1/me/groups", "/api/v1/me/calendar"):
        _check(api_world, spec, "organizer", "GET", url, 403)
        _check(api_world, spec, "anonymous", "GET", url, 401)
    assert db.session.query(Meetup).count() == before


def test_bad_input_gets_problem_documents(api_world: ApiWorld, spec: dict) -> None:
    url = f"/api/v1/communities/{api_world.slug}/meetups"
    malformed = _check(
        api_world, spec, "organizer", "POST", url, 400,
        data=b'{"title": ', headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert malformed["title"] == "Bad Request" and "JSON" in malformed["detail"]
    form = _check(api_world, spec, "organizer", "POST", url, 415, data={"title": "x"})
    assert form["status"] == 415
    invalid = _check(
        api_world, spec, "organizer", "POST", url, 422,
        json={"title": "x", "group_min": "three", "slots": [{"venue_name": ""}], "extra": 1},
    )  # fmt: skip
    fields = {e["field"] for e in invalid["errors"]}
    assert {"title", "group_min", "optin_deadline", "slots.0.starts_at", "extra"} <= fields
    assert all(e["pointer"].startswith("/") for e in invalid["errors"])
    for raw in (b"[]", b'"text"', b"null", b"3"):
        _check(api_world, spec, "organizer", "POST", url, 422, data=raw,
               headers={"Content-Type": "application/json"})  # fmt: skip
    refused = _check(
        api_world, spec, "organizer", "POST", url, 422,
        json={"title": "Too late", "optin_deadline": "2001-01-01T00:00:00",
              "slots": [{"starts_at": "2001-01-02T00:00:00", "venue_name": "Old"}]},
    )  # fmt: skip
    assert refused["errors"][0]["field"] == "optin_deadline"
    wrong_method = api_world.call("organizer", "DELETE", url)
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "application/problem+json"
    assert "POST" in wrong_method.headers["Allow"]
    missing = api_world.call("organizer", "GET", url + "/999999")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    unknown = api_world.call("organizer", "GET", "/api/v1/nowhere")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    nul = api_world.call("organizer", "GET", url + "?q=%00")
    assert nul.status_code == 400 and nul.mimetype == "application/problem+json"


def test_settings_of_a_published_meetup_are_refused_as_on_the_page(api_world: ApiWorld) -> None:
    url = f"/api/v1/communities/{api_world.slug}/meetups/{api_world.published_id}"
    answer = api_world.call("organizer", "PATCH", url, json={"title": "Renamed"})
    assert answer.status_code == 422 and "open for opt-ins" in answer.get_json()["detail"]
    assert db.session.get(Meetup, api_world.published_id).status == MeetupStatus.MATCHED


def test_an_unexpected_error_is_a_problem_not_a_page(api_world: ApiWorld, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from webapp.services import metrics

    def broken(*_args):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(metrics, "member_count", broken)
    answer = api_world.call("organizer", "GET", f"/api/v1/communities/{api_world.slug}")
    assert answer.status_code == 500 and answer.mimetype == "application/problem+json"
    assert "boom" not in answer.get_data(as_text=True)
