"""Every organizer route, against anonymous, member, organizer of another community,
co-organizer and organizer: only the community's organizers get past the door."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token
from webapp import create_app
from webapp.extensions import db
from webapp.models import Group
from webapp.services.matching import run_matching_round

ROUTES = sorted(
    (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in create_app().url_map.iter_rules()
    if rule.endpoint.startswith("organizer.")
)
COMMUNITY_ROUTES = [(rule, methods) for rule, methods in ROUTES if "<slug>" in rule]
CASES = [(rule, method) for rule, methods in COMMUNITY_ROUTES for method in methods]


def test_the_walk_covers_every_organizer_route() -> None:
    """Only the demo mail page lives outside a community (tested below); everything else
    is walked by the parametrised test."""
    assert [rule for rule, _ in ROUTES if "<slug>" not in rule] == ["/organize/mail"]
    assert len(CASES) >= 20
    assert all("<" not in _url(rule, _Fake(), 1) for rule, _ in CASES), "every parameter filled"


class _Fake:
    slug, meetup_id = "s", 1


def _url(rule: str, world, group_id: int) -> str:  # type: ignore[no-untyped-def]
    return (
        rule.replace("<slug>", world.slug)
        .replace("<int:meetup_id>", str(world.meetup_id))
        .replace("<int:group_id>", str(group_id))
        .replace("<name>", "left-out")
        .replace("<int:area_id>", "1")
    )


def _request(client, method: str, url: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url)
    page = client.get("/me") if client.get("/me").status_code == 200 else client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize(("rule", "method"), CASES)
def test_only_organizers_get_in(world, rule, method):  # type: ignore[no-untyped-def]
    run_matching_round(world.meetup_id)  # a preview, so group routes have a group
    group_id = db.session.query(Group.id).filter_by(meetup_id=world.meetup_id).first()[0]
    url = _url(rule, world, group_id)
    anonymous = _request(world.clients["anonymous"], method, url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for outsider in ("member", "other_organizer"):
        assert _request(world.clients[outsider], method, url).status_code == 403, outsider
    for insider in ("co_organizer", "organizer"):
        response = _request(world.clients[insider], method, url)
        assert response.status_code in (200, 302, 400), (insider, response.status_code)
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"]


def test_demo_mail_page_is_for_organizers_only(world, app, tmp_path):  # type: ignore[no-untyped-def]
    app.config["MAIL_CATCHER_DIR"] = str(tmp_path)
    assert world.clients["organizer"].get("/organize/mail").status_code == 200
    assert world.clients["member"].get("/organize/mail").status_code == 404
    assert world.clients["anonymous"].get("/organize/mail").status_code == 302


def test_organizer_of_another_community_gets_404_for_a_foreign_meetup(world):  # type: ignore[no-untyped-def]
    url = f"/organize/{world.other_slug}/meetups/{world.meetup_id}"
    assert world.clients["other_organizer"].get(url).status_code == 404
