"""Who may open which page: anonymous visitors, members, and organizers of other communities."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.helpers import sign_up, submit
from webapp.extensions import db
from webapp.models import Community, Member
from webapp.services.communities import create_community, join
from webapp.services.meetups import SlotSpec, schedule_meetup


@pytest.fixture()
def world(app):  # type: ignore[no-untyped-def]
    """Two communities with an organizer each, a member of the first, and a meetup."""
    clients = {}
    for key in ("organizer", "other_organizer", "member"):
        clients[key] = app.test_client()
        sign_up(clients[key], f"{key}@example.org", key.title())
    people = {m.email.split("@")[0]: m for m in db.session.query(Member)}
    first = create_community(people["organizer"], "First Circle")
    create_community(people["other_organizer"], "Second Circle")
    join(people["member"], first)
    start = datetime.now() + timedelta(days=3)
    meetup = schedule_meetup(
        first,
        title="Round",
        optin_deadline_local=start - timedelta(days=1),
        slots=[SlotSpec(start, "Café")],
    )
    return {"clients": clients, "slug": first.slug, "meetup": meetup.id, "anon": app.test_client()}


ORGANIZER_PAGES = [
    "/organize/{slug}",
    "/organize/{slug}/meetups/new",
    "/organize/{slug}/meetups/{meetup}",
    "/organize/{slug}/compatibility",
]


@pytest.mark.parametrize("page", ORGANIZER_PAGES)
def test_organizer_pages_are_for_its_organizers_only(world, page):  # type: ignore[no-untyped-def]
    url = page.format(**world)
    assert world["clients"]["organizer"].get(url).status_code == 200
    assert world["clients"]["member"].get(url).status_code == 403
    assert world["clients"]["other_organizer"].get(url).status_code == 403
    assert world["anon"].get(url).status_code == 302  # to the login page


def test_match_now_is_refused_to_other_organizers(world):  # type: ignore[no-untyped-def]
    url = "/organize/{slug}/meetups/{meetup}".format(**world)
    response = submit(world["clients"]["other_organizer"], "/me", {}, action=url + "/match")
    assert response.status_code == 403


def test_unknown_community_and_meetup_are_404(world):  # type: ignore[no-untyped-def]
    organizer = world["clients"]["organizer"]
    assert organizer.get("/organize/no-such-place").status_code == 404
    assert organizer.get("/organize/{slug}/meetups/999999".format(**world)).status_code == 404
    assert organizer.get("/c/no-such-place").status_code == 404


def test_a_meetup_of_another_community_is_404_for_its_organizer(world, app):  # type: ignore[no-untyped-def]
    other_slug = db.session.query(Community).filter_by(name="Second Circle").one().slug
    url = f"/organize/{other_slug}/meetups/{world['meetup']}"
    assert world["clients"]["other_organizer"].get(url).status_code == 404


def test_opt_in_to_a_meetup_of_a_community_you_are_not_in_is_404(world):  # type: ignore[no-untyped-def]
    response = submit(
        world["clients"]["other_organizer"],
        "/me",
        {},
        action="/meetups/{meetup}/opt-in".format(**world),
    )
    assert response.status_code == 404


def test_member_pages_need_a_login(world):  # type: ignore[no-untyped-def]
    for url in ("/me", "/me/profile", "/communities/new"):
        response = world["anon"].get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_caught_mail_page_is_404_without_a_mail_catcher(world):  # type: ignore[no-untyped-def]
    assert world["clients"]["organizer"].get("/organize/mail").status_code == 404
