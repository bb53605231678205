"""The demo community's dashboard has something to show in every chart."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.organizer.conftest import logged_in_client
from webapp.extensions import db
from webapp.models import Community, Meetup, MeetupStatus, Member
from webapp.services import dashboard, optins
from webapp.services.demo_seed import DEMO_SLUG, ORGANIZER_EMAIL, PAST_MEETUPS, seed_demo
from webapp.services.matching import build_instance, solve_for


def test_demo_dashboard_has_data_for_every_chart(app):  # type: ignore[no-untyped-def]
    seed_demo(members=120)
    community = db.session.scalars(select(Community).where(Community.slug == DEMO_SLUG)).one()
    data = dashboard.compute(community)
    assert len(data["members"]) >= 4 and data["active_30d"] > 0
    assert len(data["meetups"]) == PAST_MEETUPS
    for row in data["meetups"]:
        for key in ("optin_rate", "match_rate", "attendance_rate", "no_show_rate", "avg_rating"):
            assert row[key] is not None, (row["title"], key)
    depth = data["depth"]
    assert depth["mutual_pairs"] > 0 and depth["members_with_mutual"] > 0
    assert depth["members_met_3_times"] > 0 and depth["repeat_group_rate"] > 0
    assert any(v["count"] for v in data["left_out"].values())
    assert sum(r["no_show_rate"] for r in data["meetups"]) > 0
    assert data["ripple"]["components"] > 0 and data["ripple"]["clustering"] > 0
    assert data["network"]["nodes"] and data["network"]["edges"], "the network has ties"
    assert sum(1 for r in data["wellbeing"] if r["average"] is not None) >= 3
    organizer = db.session.scalars(select(Member).where(Member.email == ORGANIZER_EMAIL)).one()
    page = logged_in_client(app, organizer).get(f"/organize/{DEMO_SLUG}")
    assert page.status_code == 200 and page.get_data(as_text=True).count("<svg") >= 8


def test_demo_members_have_v2_details_and_every_opt_in_can_be_placed_in_time(app):  # type: ignore[no-untyped-def]
    """Issue 14: the demo showed 23 of 120 opted-in members unplaced for "no available
    time slot"; now only members who can make a time opt in, ticking those times."""
    seed_demo(members=60)
    community = db.session.scalars(select(Community).where(Community.slug == DEMO_SLUG)).one()
    assert len(community.areas) >= 3
    members = [m.member for m in community.memberships if m.member.email != ORGANIZER_EMAIL]
    assert all("en" in m.languages and m.about and m.home for m in members)
    assert any(len(m.languages) > 1 for m in members), "a few speak a second language"
    upcoming = db.session.scalars(
        select(Meetup).where(
            Meetup.community_id == community.id, Meetup.status == MeetupStatus.OPEN
        )
    ).one()
    assert all(slot.venue.location for slot in upcoming.slots)
    assert upcoming.optins
    for optin in upcoming.optins:
        choices = optins.slot_choices(optin.member, upcoming)
        assert optin.slot_ids and all(c.can_make for c in choices if c.slot.id in optin.slot_ids)
    instance = build_instance(upcoming)
    assert instance["version"] == 2 and all(s.get("location") for s in instance["slots"])
    assert all(m["available"] for m in instance["members"])
    reasons = {u["reason"] for u in solve_for(upcoming, instance)["unmatched"]}
    assert "no available time slot" not in reasons
