"""Scheduling meetups and opting in or out, over HTTP and through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import sign_up, submit
from webapp.extensions import db
from webapp.models import Meetup, Member, OptIn
from webapp.services.communities import create_community, join
from webapp.services.errors import ServiceError
from webapp.services.meetups import SlotSpec, schedule_meetup
from webapp.services.optins import opt_in


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture()
def organizer(app):  # type: ignore[no-untyped-def]
    """A logged-in organizer client and their community's slug."""
    browser = app.test_client()
    sign_up(browser, "olivia@example.org", "Olivia")
    response = submit(browser, "/communities/new", {"name": "Harbour", "timezone": "Europe/Berlin"})
    return browser, response.headers["Location"].rsplit("/", 1)[-1]


def test_schedule_a_meetup_with_two_slots(organizer):  # type: ignore[no-untyped-def]
    browser, slug = organizer
    start = datetime.now() + timedelta(days=4)
    response = submit(
        browser,
        f"/organize/{slug}/meetups/new",
        {
            "title": "Round one",
            "optin_deadline": _fmt(start - timedelta(days=1)),
            "group_min": 3,
            "group_max": 5,
            "slots-0-starts_at": _fmt(start),
            "slots-0-venue_name": "Café",
            "slots-0-capacity": 12,
            "slots-1-starts_at": _fmt(start + timedelta(days=2)),
            "slots-1-venue_name": "Library",
        },
    )
    assert response.status_code == 302
    meetup = db.session.scalar(select(Meetup))
    assert [s.venue.name for s in meetup.slots] == ["Café", "Library"]
    assert meetup.slots[0].venue.capacity == 12
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Match now" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"optin_deadline": _fmt(datetime.now() - timedelta(days=1))}, "must be in the future"),
        ({"slots-0-starts_at": ""}, "at least one time slot"),
        ({"group_min": 5, "group_max": 3}, "smallest &lt;= largest"),
        ({"slots-0-capacity": 0}, "Number must be between 1 and 10000"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_meetups_are_explained_and_not_saved(organizer, change, message):  # type: ignore[no-untyped-def]
    browser, slug = organizer
    start = datetime.now() + timedelta(days=4)
    data = {
        "title": "Round",
        "optin_deadline": _fmt(start - timedelta(days=1)),
        "group_min": 3,
        "group_max": 6,
        "slots-0-starts_at": _fmt(start),
        "slots-0-venue_name": "Café",
    }
    response = submit(browser, f"/organize/{slug}/meetups/new", {**data, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Meetup)) == 0


def test_opt_in_and_out_with_one_click(app, organizer):  # type: ignore[no-untyped-def]
    browser, slug = organizer
    start = datetime.now() + timedelta(days=4)
    submit(
        browser,
        f"/organize/{slug}/meetups/new",
        {
            "title": "Round",
            "optin_deadline": _fmt(start - timedelta(days=1)),
            "group_min": 3,
            "group_max": 6,
            "slots-0-starts_at": _fmt(start),
            "slots-0-venue_name": "Café",
        },
    )
    meetup_id = db.session.scalar(select(Meetup.id))
    member = app.test_client()
    sign_up(member, "sam@example.org", "Sam")
    submit(member, f"/c/{slug}", {}, action=f"/c/{slug}/join")
    assert "Opt in" in member.get("/me").get_data(as_text=True)
    submit(member, "/me", {}, action=f"/meetups/{meetup_id}/opt-in")
    submit(member, "/me", {}, action=f"/meetups/{meetup_id}/opt-in")  # twice is harmless
    assert db.session.scalar(select(func.count()).select_from(OptIn)) == 1
    assert "<p>You're in." in member.get("/me").get_data(as_text=True)
    submit(member, "/me", {}, action=f"/meetups/{meetup_id}/opt-out")
    assert db.session.scalar(select(func.count()).select_from(OptIn)) == 0


def test_opt_in_after_the_deadline_is_refused(app):  # type: ignore[no-untyped-def]
    sign_up(app.test_client(), "o@example.org", "O")
    sign_up(app.test_client(), "m@example.org", "M")
    organizer, member = db.session.scalars(select(Member).order_by(Member.id)).all()
    community = create_community(organizer, "Harbour")
    join(member, community)
    start = datetime.now() + timedelta(days=4)
    meetup = schedule_meetup(
        community,
        title="Round",
        optin_deadline_local=start - timedelta(days=1),
        slots=[SlotSpec(start, "Café")],
    )
    meetup.optin_deadline = datetime(2000, 1, 1)
    db.session.commit()
    with pytest.raises(ServiceError, match="closed"):
        opt_in(member, meetup)
