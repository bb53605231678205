"""A running match on the organizer's meetup page (issue 16): its state in the HTML (no
JavaScript needed), a static script that polls the JSON endpoint (no inline script), and
the endpoint's answers and access rules."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import submit
from webapp.services import match_progress, matching

STATIC = Path(__file__).resolve().parents[3] / "webapp" / "static"


def _url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/organize/{world.slug}/meetups/{world.meetup_id}"


def test_match_now_shows_queued_and_the_page_needs_no_javascript(world):  # type: ignore[no-untyped-def]
    organizer, url = world.clients["organizer"], _url(world)
    response = submit(organizer, url, {}, action=url + "/match", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'id="match-progress"' in page and 'data-state="queued"' in page
    assert "Waiting for a matching worker" in page, "the state is in the HTML itself"
    assert f'<a href="{url}">Refresh</a>' in page, "without JavaScript: a link to reload"
    assert 'http-equiv="refresh"' not in page
    assert '<script src="/static/match_progress.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "no inline script"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]

    match_progress.mark(
        world.meetup_id, match_progress.SEARCHING, best_score=12.5, seconds=1.0, limit=4.0
    )
    page = organizer.get(url).get_data(as_text=True)
    assert "Searching for the best groups: best score 12.50 so far" in page
    assert '<progress id="match-progress-bar" max="100" value="25">' in page


def test_the_progress_json_follows_the_run_to_the_preview(world):  # type: ignore[no-untyped-def]
    organizer, url = world.clients["organizer"], _url(world) + "/progress"
    assert organizer.get(url).get_json() == {"meetup_status": "open", "progress": None}
    match_progress.mark(world.meetup_id, match_progress.QUEUED)
    queued = organizer.get(url)
    assert queued.headers["Cache-Control"] == "no-store"
    assert queued.get_json()["progress"]["state"] == "queued"
    assert queued.get_json()["progress"]["active"] is True
    match_progress.mark(
        world.meetup_id, match_progress.SEARCHING, best_score=3.0, seconds=3.0, limit=4.0
    )
    searching = organizer.get(url).get_json()["progress"]
    assert (searching["state"], searching["best_score"], searching["percent"]) == (
        "searching",
        3.0,
        75,
    )
    matching.run_matching_round(world.meetup_id)
    match_progress.mark(world.meetup_id, match_progress.DONE, best_score=5.0)
    done = organizer.get(url).get_json()
    assert done["meetup_status"] == "previewed"
    assert done["progress"]["state"] == "done" and done["progress"]["active"] is False
    page = organizer.get(_url(world)).get_data(as_text=True)
    assert 'id="match-progress"' not in page and "Preview" in page, "the preview replaces it"


def test_a_run_without_news_is_shown_as_stalled(world, app):  # type: ignore[no-untyped-def]
    app.config["MATCH_CLAIM_SECONDS"] = 0
    match_progress.mark(world.meetup_id, match_progress.BUILDING)
    progress = world.clients["organizer"].get(_url(world) + "/progress").get_json()["progress"]
    assert progress["stalled"] is True and progress["active"] is False
    assert "next scheduled run" in progress["label"]


def test_only_the_communitys_organizers_see_the_progress(world):  # type: ignore[no-untyped-def]
    url = _url(world) + "/progress"
    match_progress.mark(world.meetup_id, match_progress.QUEUED)
    answers = {who: world.clients[who].get(url) for who in world.clients}
    assert answers["organizer"].status_code == answers["co_organizer"].status_code == 200
    assert answers["member"].status_code == answers["other_organizer"].status_code == 403
    assert answers["anonymous"].status_code == 302
    assert "/login" in answers["anonymous"].headers["Location"]
    other = f"/organize/{world.other_slug}/meetups/{world.meetup_id}/progress"
    assert world.clients["other_organizer"].get(other).status_code == 404, "not their meetup"


def test_the_script_polls_the_endpoint_and_reloads_when_done() -> None:
    script = (STATIC / "match_progress.js").read_text()
    assert "data-progress-url" in script and "fetch(" in script
    assert "window.location.reload()" in script
    assert "innerHTML" not in script and "eval(" not in script, "text only, no markup"
