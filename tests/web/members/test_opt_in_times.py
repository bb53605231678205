"""Opting in for the times a member can make (issue 14, part 4): the page marks each time
against the weekly grid and the travel distance, stores the picks, and refuses an opt-in
that could never be placed, with a way to fix it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import log_in, submit
from tests.web.members.world import PASSWORD, community_with, free_on, person
from webapp.extensions import db
from webapp.models import Meetup, OptIn
from webapp.services import matching
from webapp.services.meetups import SlotSpec, schedule_meetup

TUESDAY_7PM = datetime(2030, 1, 1, 19, 0)  # 1 Jan 2030 is a Tuesday (the community is UTC)
NEAR, FAR = (51.7478, -1.2650), (51.0, -1.2650)  # about 0.2 km and 83 km from Sam's home


@pytest.fixture()
def sam_and_meetup(app, client):  # type: ignore[no-untyped-def]
    """Sam (free on Tuesday evenings, travels 5 km, logged in) and a meetup with a Tuesday
    evening slot nearby and a Saturday morning slot far away."""
    sam = person("Sam")
    sam.home_lat, sam.home_lon, sam.travel_km = 51.75, -1.265, 5
    free_on(sam, 1, "evening")
    meetup = schedule_meetup(
        community_with([sam]),
        title="Round",
        optin_deadline_local=datetime.now() + timedelta(days=1),
        slots=[
            SlotSpec(TUESDAY_7PM, "Café", location=NEAR),
            SlotSpec(TUESDAY_7PM + timedelta(days=4, hours=-9), "Library", location=FAR),
        ],
    )
    log_in(client, sam.email, PASSWORD)
    return sam, meetup


def _optin(meetup: Meetup) -> OptIn | None:
    db.session.expire_all()
    return db.session.scalar(select(OptIn).where(OptIn.meetup_id == meetup.id))


def test_the_page_marks_each_time_and_the_picks_are_what_matching_uses(client, sam_and_meetup):  # type: ignore[no-untyped-def]
    sam, meetup = sam_and_meetup
    tuesday, saturday = (slot.id for slot in meetup.slots)
    assert f'href="/meetups/{meetup.id}/opt-in">Opt in</a>' in client.get("/me").get_data(
        as_text=True
    )
    page = client.get(f"/meetups/{meetup.id}/opt-in").get_data(as_text=True)
    assert "Tuesday 01 January, 19:00</strong> at Café" in page
    assert "✓ Fits the times you are usually free." in page
    assert "✗ Not in the times you are usually free." in page
    assert "0.2 km from home, within your 5 km" in page
    assert "83.4 km from home, beyond your 5 km" in page
    assert f'id="slot-{tuesday}" aria-describedby="slot-{tuesday}-fit" checked>' in page
    assert page.count(" checked>") == 1, "pre-ticked from the grid: only Tuesday"

    picked = {"times": "1", "slots": [str(tuesday)]}
    response = submit(client, f"/meetups/{meetup.id}/opt-in", picked)
    assert response.status_code == 302 and _optin(meetup).slot_ids == [tuesday]
    [entry] = matching.build_instance(meetup)["members"]
    assert entry["available"] == [f"slot-{tuesday}"]

    both = {"times": "1", "slots": [str(saturday), str(tuesday)]}
    assert submit(client, f"/meetups/{meetup.id}/opt-in", both).status_code == 302
    assert _optin(meetup).slot_ids == [tuesday, saturday], "changed, not duplicated"
    page = client.get(f"/meetups/{meetup.id}/opt-in").get_data(as_text=True)
    assert "Save my times" in page and page.count(" checked>") == 2


@pytest.mark.parametrize(
    ("ticked", "message"),
    [
        ([], "Please tick at least one time you can make"),
        (["far"], "beyond your travel distance (5 km)"),
    ],
)
def test_an_opt_in_with_no_time_that_works_is_refused_on_the_page(  # type: ignore[no-untyped-def]
    client, sam_and_meetup, ticked, message
):
    _, meetup = sam_and_meetup
    ids = {"far": str(meetup.slots[1].id)}
    data = {"times": "1", "slots": [ids[t] for t in ticked]}
    response = submit(client, f"/meetups/{meetup.id}/opt-in", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'href="/me/profile"' in page and _optin(meetup) is None


def test_a_one_click_opt_in_follows_the_grid_and_says_how_to_fix_it(client, sam_and_meetup):  # type: ignore[no-untyped-def]
    sam, meetup = sam_and_meetup
    sam.availability.clear()
    db.session.commit()
    free_on(sam, 0, "morning")  # Monday mornings only: neither time fits
    response = submit(client, "/me", {}, action=f"/meetups/{meetup.id}/opt-in")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and _optin(meetup) is None
    assert "None of the times of Round (Tue 01 Jan 19:00, Sat 05 Jan 10:00)" in page
    assert page.count(" checked>") == 0 and "Opt in for the ticked times" in page
    foreign = {"times": "1", "slots": ["999999"]}
    response = submit(client, f"/meetups/{meetup.id}/opt-in", foreign, follow_redirects=True)
    assert "not one of this meetup" in response.get_data(as_text=True)
    assert _optin(meetup) is None


def test_without_a_grid_every_time_is_offered_and_old_opt_ins_keep_the_grid(app, client):  # type: ignore[no-untyped-def]
    sam, ana = person("Sam"), person("Ana")
    meetup = schedule_meetup(
        community_with([sam, ana]),
        title="Round",
        optin_deadline_local=datetime.now() + timedelta(days=1),
        slots=[SlotSpec(TUESDAY_7PM, "Café"), SlotSpec(TUESDAY_7PM + timedelta(days=1), "Bar")],
    )
    db.session.add(OptIn(meetup_id=meetup.id, member_id=ana.id))  # from before picks existed
    free_on(ana, 2, "evening")
    log_in(client, sam.email, PASSWORD)
    page = client.get(f"/meetups/{meetup.id}/opt-in").get_data(as_text=True)
    assert "You haven't told us when you are usually free" in page
    assert page.count(" checked>") == 2
    assert submit(client, "/me", {}, action=f"/meetups/{meetup.id}/opt-in").status_code == 302
    db.session.expire_all()
    available = {
        entry["id"]: entry.get("available") for entry in matching.build_instance(meetup)["members"]
    }
    wednesday = f"slot-{meetup.slots[1].id}"
    assert available == {f"m{sam.id}": None, f"m{ana.id}": [wednesday]}
