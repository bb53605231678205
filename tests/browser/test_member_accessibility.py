"""Every member page passes an axe-core scan (no serious or critical violations), works
on a phone-sized screen without sideways scrolling, and loads nothing from another host."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.journey import community_world, match_and_publish, member
from tests.web.members.world import PASSWORD, matched_group, move_to_past, open_meetup, person
from webapp.services import tokens
from webapp.services.tokens import Purpose

BLOCKING = {"serious", "critical"}


def _pages(app, live_server):  # type: ignore[no-untyped-def]
    """Builds a world with a past and an upcoming group; returns (anonymous, member) URLs."""
    community, meetup, code, _ = community_world()
    sam = person("Sam")
    from webapp.services.communities import join

    join(sam, community)
    from webapp.extensions import db
    from webapp.models import OptIn

    db.session.add(OptIn(meetup_id=meetup.id, member_id=sam.id))
    db.session.commit()
    match_and_publish(meetup)
    past = matched_group(open_meetup(community, days=8), [sam, member("ana@example.org")])
    move_to_past(past.meetup)
    from webapp.models import Group, GroupMember

    upcoming = (
        db.session.query(Group)
        .join(GroupMember)
        .filter(GroupMember.member_id == sam.id, Group.meetup_id == meetup.id)
        .one()
    )
    with app.test_request_context():
        reset = tokens.make(
            Purpose.RESET, {"m": sam.id, "p": tokens.password_fingerprint(sam.password_hash)}
        )
    anonymous = [
        "/",
        "/signup",
        "/signup/check-your-email",
        "/login",
        "/forgot",
        f"/reset/{reset}",
        "/communities",
        f"/c/{community.slug}",
        f"/join/{code}",
        "/join/no-such-code",
        "/no-such-page",
    ]
    logged_in = [
        "/me",
        "/me/profile",
        "/me/check-in",
        "/me/connections",
        f"/me/groups/{upcoming.id}",
        f"/me/groups/{past.id}/feedback",
        "/account",
        "/communities",
        "/communities/new",
        f"/c/{community.slug}",
    ]
    return [live_server + p for p in anonymous], [live_server + p for p in logged_in]


def _check(page, url: str, axe: Axe, requests: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    requests.clear()
    page.goto(url)
    problems = _check_current(page, axe)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"{url}: scrolls sideways by {overflow}px")
    base = url.split("/", 3)[:3]
    problems += [
        f"{url}: loads {r} from another host" for r in requests if r.split("/", 3)[:3] != base
    ]
    return problems


@pytest.mark.parametrize("width", [390, 1280])
def test_every_member_page_is_accessible_and_responsive(app, live_server, browser, width):  # type: ignore[no-untyped-def]
    anonymous, logged_in = _pages(app, live_server)
    axe = Axe()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    problems = []
    for url in anonymous:
        problems += _check(page, url, axe, requests)
    page.goto(anonymous[3])
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for url in logged_in:
        problems += _check(page, url, axe, requests)
    # Pages showing errors next to fields are checked too.
    page.goto(logged_in[1])
    page.get_by_label("Your name as others see it").fill("")
    page.get_by_role("button", name="Save my profile").click()
    problems += _check_current(page, axe)
    context.close()
    assert problems == []


def _check_current(page, axe: Axe) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in BLOCKING
    ]
