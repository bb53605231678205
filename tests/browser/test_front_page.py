"""The front page in Chromium, on a phone (390 px) and a desktop: axe finds no violation of
any impact, nothing scrolls sideways, the community search works (with and without
JavaScript), and nothing loads from another host. Full-page screenshots are kept in
`HEARTH_TEST_ARTIFACTS` (default: test-artifacts/ at the repository root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models import Member
from webapp.services.communities import create_community

SEARCH_LABEL = "Search by name, place or topic"


def artifacts_dir() -> Path:
    """Where screenshots go: $HEARTH_TEST_ARTIFACTS, else test-artifacts/ at the repo root."""
    default = Path(__file__).resolve().parents[2] / "test-artifacts"
    path = Path(os.environ.get("HEARTH_TEST_ARTIFACTS") or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture()
def communities(app):  # type: ignore[no-untyped-def]
    """A few communities, one with a long unbroken name that must still fit on a phone."""
    olivia = Member(email="olivia@example.org", password_hash="x", display_name="Olivia")
    db.session.add(olivia)
    db.session.commit()
    create_community(olivia, "Harbour Book Club", "We read novels and talk about them.")
    create_community(olivia, "Riverside Runners", "Easy 5 km runs along the river.")
    create_community(olivia, "Chess at Noon", "Lunchtime chess, all levels welcome. " * 12)
    create_community(olivia, "Neighbourhoodgardeningandcompostingcollective" * 2)


def _problems(page, axe: Axe, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Every axe violation (any impact) and any sideways scrolling on the current page."""
    found = [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in axe.run(page).response["violations"]
    ]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        found.append(f"{page.url}: {scroll_width}px wide in a {width}px window")
    return found


@pytest.mark.parametrize("width", [390, 1280])
def test_front_page_is_accessible_fits_and_searches(live_server, browser, communities, width):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    axe = Axe()
    shots = artifacts_dir()

    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="How Hearth makes groups")).to_be_visible()
    for name in ("What happens", "Communities you can join", "Your privacy, in plain words"):
        expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    expect(page.get_by_text("4 communities.")).to_be_visible()
    problems = _problems(page, axe, width)
    page.screenshot(path=str(shots / f"front-page-{width}.png"), full_page=True)
    page.locator(".how-groups").screenshot(path=str(shots / f"front-page-{width}-groups.png"))

    page.get_by_label(SEARCH_LABEL).fill("book")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 community matches “book”.")).to_be_visible()
    expect(page.get_by_role("link", name="Harbour Book Club")).to_be_visible()
    expect(page.get_by_role("link", name="Riverside Runners")).to_have_count(0)
    assert page.url.endswith("/?q=book#communities")
    problems += _problems(page, axe, width)
    page.screenshot(path=str(shots / f"front-page-{width}-search.png"), full_page=True)

    page.get_by_label(SEARCH_LABEL).fill("no such thing")
    page.get_by_label(SEARCH_LABEL).press("Enter")
    expect(page.get_by_text("Nothing found.")).to_be_visible()
    problems += _problems(page, axe, width)

    page.get_by_role("link", name="Show all communities").click()
    expect(page.get_by_role("link", name="Riverside Runners")).to_be_visible()
    context.close()
    assert problems == []
    assert [r for r in requests if not r.startswith(live_server)] == []


def test_search_works_without_javascript(live_server, browser, communities):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_label(SEARCH_LABEL).fill("river")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 community matches “river”.")).to_be_visible()
    expect(page.get_by_role("link", name="Riverside Runners")).to_be_visible()
    expect(page.get_by_role("link", name="Harbour Book Club")).to_have_count(0)
    context.close()
