"""Scheduling, editing and cancelling meetups and series over HTTP, and the preview pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests.helpers import submit
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    Frequency,
    Group,
    MatchingPolicy,
    Meetup,
    MeetupSeries,
    MeetupStatus,
    OutboxEmail,
)
from webapp.services import matching
from webapp.services.meetups import shift

FMT = "%Y-%m-%dT%H:%M"


def _form(**overrides: str) -> dict:
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=5)
    data = {
        "title": "Board game night",
        "optin_deadline": (start - timedelta(days=2)).strftime(FMT),
        "group_min": "3",
        "group_max": "5",
        "policy": "deepen",
        "welcome_newcomers": "y",
        "standby_enabled": "y",
        "frequency": "",
        "occurrences": "4",
        "slots-0-starts_at": start.strftime(FMT),
        "slots-0-venue_name": "Café Anker",
        "slots-0-address": "Hafenstr. 1",
        "slots-0-capacity": "24",
        "slots-0-accessibility": "Step-free entrance",
    }
    data.update(overrides)
    return data


def test_schedule_a_meetup_with_policy_and_venue_details(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/meetups/new"
    response = submit(world.clients["organizer"], page, _form())
    assert response.status_code == 302
    meetup = db.session.scalars(select(Meetup).where(Meetup.title == "Board game night")).one()
    assert meetup.policy == MatchingPolicy.DEEPEN and meetup.welcome_newcomers
    assert meetup.standby_enabled and not meetup.auto_publish
    venue = meetup.slots[0].venue
    assert (venue.address, venue.capacity, venue.accessibility_notes) == (
        "Hafenstr. 1",
        24,
        "Step-free entrance",
    )
    shown = world.clients["organizer"].get(response.headers["Location"]).get_data(as_text=True)
    assert "Step-free entrance" in shown and "deepen" in shown
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "meetup.scheduled" in actions


def test_new_meetup_form_suggests_small_groups(world):  # type: ignore[no-untyped-def]
    """The form's default largest group is SMALL_GROUP_MAX ("first good meetup first"),
    with the reason next to it."""
    page = world.clients["organizer"].get(f"/organize/{world.slug}/meetups/new")
    html = page.get_data(as_text=True)
    assert re.search(r'<input[^>]*name="group_max"[^>]*value="(\d+)"', html)[1] == str(
        matching.SMALL_GROUP_MAX
    )
    assert "Groups of 3 or 4 give each pair more time to talk" in html


def test_bad_input_is_explained_and_nothing_is_saved(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/meetups/new"
    before = db.session.scalar(select(func.count()).select_from(Meetup))
    response = submit(world.clients["organizer"], page, _form(group_min="5", group_max="3"))
    assert response.status_code == 400
    assert "smallest &lt;= largest" in response.get_data(as_text=True)
    response = submit(world.clients["organizer"], page, _form(**{"slots-0-venue_name": ""}))
    assert response.status_code == 400 and "venue name" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Meetup)) == before


def test_a_weekly_series_makes_editable_cancellable_occurrences(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/meetups/new"
    response = submit(world.clients["organizer"], page, _form(frequency="weekly", occurrences="3"))
    assert response.status_code == 302
    series = db.session.scalars(select(MeetupSeries)).one()
    occurrences = db.session.scalars(
        select(Meetup).where(Meetup.series_id == series.id).order_by(Meetup.optin_deadline)
    ).all()
    assert len(occurrences) == 3
    gaps = [
        b.slots[0].starts_at - a.slots[0].starts_at
        for a, b in zip(occurrences, occurrences[1:], strict=False)
    ]
    assert gaps == [timedelta(weeks=1)] * 2
    first, second, _ = occurrences
    edit = f"/organize/{world.slug}/meetups/{second.id}/edit"
    response = submit(
        world.clients["organizer"],
        edit,
        {
            "title": "Special edition",
            "optin_deadline": (datetime.now() + timedelta(days=3)).strftime(FMT),
            "group_min": "3",
            "group_max": "4",
            "policy": "new_faces",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert second.title == "Special edition" and second.policy == MatchingPolicy.NEW_FACES
    assert first.title == "Board game night"
    url = f"/organize/{world.slug}/meetups/{first.id}"
    assert submit(world.clients["organizer"], url, {}, action=url + "/cancel").status_code == 302
    db.session.expire_all()
    assert first.status == MeetupStatus.CANCELLED and second.status == MeetupStatus.OPEN


def test_monthly_repeats_clamp_to_the_end_of_the_month() -> None:
    start = datetime(2030, 1, 31, 19, 0)
    assert [shift(start, Frequency.MONTHLY, n).date().isoformat() for n in range(4)] == [
        "2030-01-31",
        "2030-02-28",
        "2030-03-31",
        "2030-04-30",
    ]
    assert shift(start, Frequency.FORTNIGHTLY, 2) == datetime(2030, 2, 28, 19, 0)


def test_preview_move_lock_rerun_publish_over_http(world):  # type: ignore[no-untyped-def]
    organizer = world.clients["organizer"]
    url = f"/organize/{world.slug}/meetups/{world.meetup_id}"
    assert submit(organizer, url, {}, action=url + "/match").status_code == 302
    matching.run_matching_round(world.meetup_id)  # what the worker does with the queued task
    page = organizer.get(url).get_data(as_text=True)
    assert "Preview" in page and "nothing sent yet" in page and 'id="totals"' in page
    assert "6</strong> placed of" in page
    groups = db.session.scalars(select(Group).where(Group.meetup_id == world.meetup_id)).all()
    names = [s.member.display_name for g in groups for s in g.members]
    assert all(name in page for name in names)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0

    locked = groups[0].id
    response = submit(organizer, url, {}, action=f"{url}/groups/{locked}/lock")
    assert response.status_code == 302
    assert "(locked)" in organizer.get(url).get_data(as_text=True)
    assert submit(organizer, url, {}, action=url + "/rerun").status_code == 302
    db.session.expire_all()
    assert db.session.get(Group, locked) is not None

    # a move that breaks the size rule is refused with a readable message
    group_ids = [
        g.id for g in db.session.scalars(select(Group).where(Group.meetup_id == world.meetup_id))
    ]
    member = db.session.get(Group, group_ids[0]).members[0].member_id
    target = group_ids[1] if len(group_ids) > 1 else group_ids[0]
    refused = submit(
        organizer,
        url,
        {"member_id": str(member), "group_id": str(target)},
        action=url + "/move",
        follow_redirects=True,
    )
    text = refused.get_data(as_text=True)
    assert "breaks a rule" in text or "already in that group" in text

    published = submit(organizer, url, {}, action=url + "/publish", follow_redirects=True)
    assert "Published: 6 match emails" in published.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 6
    again = submit(organizer, url, {}, action=url + "/publish", follow_redirects=True)
    assert "Only a previewed meetup can be published" in again.get_data(as_text=True)
    audit_page = organizer.get(f"/organize/{world.slug}/audit").get_data(as_text=True)
    for words in (
        "Pressed Match now",
        "Locked a group",
        "Re-ran matching",
        "Published",
        "Organizer",
    ):
        assert words in audit_page


def test_match_now_twice_is_refused_once_matched(world):  # type: ignore[no-untyped-def]
    organizer = world.clients["organizer"]
    url = f"/organize/{world.slug}/meetups/{world.meetup_id}"
    matching.run_matching_round(world.meetup_id)
    response = submit(organizer, url, {}, action=url + "/match", follow_redirects=True)
    assert "matched already" in response.get_data(as_text=True)


def test_venue_coordinates_are_stored_and_bad_ones_explained(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/meetups/new"
    before = db.session.scalar(select(func.count()).select_from(Meetup))
    for lat, lon, message in (
        ("52.5", "", "both the latitude and the longitude"),
        ("95", "13.4", "between -90 and 90"),
        ("52.5", "east", "must be a number"),
    ):
        form = _form(**{"slots-0-lat": lat, "slots-0-lon": lon})
        response = submit(world.clients["organizer"], page, form)
        assert response.status_code == 400, (lat, lon)
        assert "Venue Café Anker: " in response.get_data(as_text=True)
        assert message in response.get_data(as_text=True), (lat, lon)
    assert db.session.scalar(select(func.count()).select_from(Meetup)) == before
    form = _form(**{"slots-0-lat": "52.5208", "slots-0-lon": "13.4094"})
    assert submit(world.clients["organizer"], page, form).status_code == 302
    meetup = db.session.scalars(select(Meetup).where(Meetup.title == "Board game night")).one()
    assert meetup.slots[0].venue.location == (52.5208, 13.4094)
    assert matching.build_instance(meetup)["slots"][0]["location"] == [52.5208, 13.4094]
