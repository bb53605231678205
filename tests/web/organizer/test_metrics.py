"""Dashboard metrics against values worked out by hand on the small community
(see small_community.py for the story)."""

from __future__ import annotations

import pytest

from tests.web.organizer.small_community import NOW, seed_small_community
from webapp.services import dashboard


@pytest.fixture()
def data(app) -> dict:  # type: ignore[no-untyped-def]
    community, _, _ = seed_small_community()
    return dashboard.compute(community, now=NOW)


def test_members_over_time_and_active(data) -> None:  # type: ignore[no-untyped-def]
    assert data["member_total"] == 8
    # active = opted in or gave feedback in the 30 days before 20 March: the M3 opt-ins
    assert data["active_30d"] == 5
    assert data["members"] == [
        {"month": "2030-01", "signups": 7, "members": 7, "active": 6},
        {"month": "2030-02", "signups": 1, "members": 8, "active": 6},
        {"month": "2030-03", "signups": 0, "members": 8, "active": 5},
    ]


def test_per_meetup_rates(data) -> None:  # type: ignore[no-untyped-def]
    rows = {r["title"]: r for r in data["meetups"]}
    assert [r["title"] for r in data["meetups"]] == ["M1", "M2", "M3"]
    m1, m2, m3 = rows["M1"], rows["M2"], rows["M3"]
    assert (m1["members"], m1["opted_in"], m1["placed"]) == (7, 6, 6)
    assert m1["optin_rate"] == pytest.approx(6 / 7, abs=1e-4)
    assert (m2["optin_rate"], m3["optin_rate"]) == (0.75, 0.625)
    assert (m1["match_rate"], m3["match_rate"]) == (1.0, 0.8)
    assert m2["match_rate"] == pytest.approx(5 / 6, abs=1e-4)
    # M1: five reported back; A, B, C came; D stayed away; E had said "can't make it"
    assert (m1["reported"], m1["attendance_rate"], m1["no_show_rate"]) == (5, 0.6, 0.2)
    assert (m1["avg_rating"], m2["avg_rating"], m3["avg_rating"]) == (4.0, 3.0, None)
    assert (m2["attendance_rate"], m3["attendance_rate"]) == (1.0, None)


def test_connection_depth(data) -> None:  # type: ignore[no-untyped-def]
    depth = data["depth"]
    assert [r["mutual_pairs"] for r in depth["series"]] == [1, 2, 3]
    assert [r["repeat_group_rate"] for r in depth["series"]] == [0.0, 1.0, 1.0]
    assert depth["mutual_pairs"] == 3
    assert depth["members_with_mutual"] == 3  # A, B, C
    assert depth["members_met_3_times"] == 3  # A, B, C shared a group three times
    assert depth["repeat_group_rate"] == 0.6  # 3 of 5 groups


def test_ripple_effect(data) -> None:  # type: ignore[no-untyped-def]
    assert data["ripple"] == {
        "members": 8,
        "components": 1,  # the triangle A-B-C
        "largest": 3,
        "isolated_share": 0.625,  # O, D, E, F, G
        "clustering": 0.375,  # A, B and C have clustering 1; five members 0
        "component_sizes": [3],
    }


def test_left_out(data) -> None:  # type: ignore[no-untyped-def]
    left = data["left_out"]
    assert [p["name"] for p in left["unplaced_twice"]["people"]] == ["G"]
    assert [p["name"] for p in left["no_mutual"]["people"]] == ["D"]
    assert [p["name"] for p in left["first_timer_gone"]["people"]] == ["E"]
    assert {k: v["count"] for k, v in left.items()} == {
        "unplaced_twice": 1,
        "no_mutual": 1,
        "first_timer_gone": 1,
    }
    assert all(v["action"] for v in left.values())


def test_wellbeing_is_shown_only_with_ten_answers(data) -> None:  # type: ignore[no-untyped-def]
    assert data["wellbeing"] == [
        {"month": "2030-02", "answers": 10, "average": 4.5},
        {"month": "2030-03", "answers": 3, "average": None},
    ]


def test_date_range_limits_the_series(data) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    period = dashboard.DateRange(date(2030, 2, 1), date(2030, 3, 1))
    shown = dashboard.filtered(data, period)
    assert [r["title"] for r in shown["meetups"]] == ["M2"]
    assert [r["month"] for r in shown["members"]] == ["2030-02", "2030-03"]
    assert [r["mutual_pairs"] for r in shown["depth"]["series"]] == [2]
    assert shown["ripple"] == data["ripple"], "figures describe the community now"


def test_snapshots_are_stored_refreshed_and_marked_stale_by_publishing(app):  # type: ignore[no-untyped-def]
    from datetime import datetime

    from tests.web.organizer.conftest import make_meetup, make_members, opt_in_all
    from webapp.extensions import db
    from webapp.models import DashboardSnapshot
    from webapp.services import match_review, matching
    from webapp.services.communities import create_community

    community, _, _ = seed_small_community()
    dashboard.snapshot_of(community)  # the first page view stores it
    stored = db.session.get(DashboardSnapshot, community.id)
    assert stored.data["depth"]["mutual_pairs"] == 3 and len(stored.data["drawn"]) == 8
    people = make_members(4, prefix="q")
    other = create_community(people[0], "Other")
    meetup = make_meetup(other)
    opt_in_all(meetup, people[1:])
    dashboard.refresh(other)
    matching.run_matching_round(meetup.id)
    match_review.publish(meetup, people[0])
    db.session.expire_all()
    assert db.session.get(DashboardSnapshot, other.id).computed_at == datetime(2000, 1, 1)
    fresh = dashboard.snapshot_of(other)  # small community: recomputed in the page view
    assert [r["placed"] for r in fresh["meetups"]] == [3]


def test_the_periodic_refresh_keeps_used_snapshots_fresh_stalest_first_within_its_budget(  # type: ignore[no-untyped-def]
    app, monkeypatch
):
    """Stored snapshots older than REFRESH_AFTER are refreshed, the one publishing marked
    stale first, then the oldest; a fresh one is left alone, and so is a small community
    whose dashboard was never opened (its first page view computes it); a large one gets
    its first snapshot from the worker, before any stale one. A spent budget stops a tick
    after one refresh; the next goes on."""
    from datetime import datetime, timedelta

    from tests.web.organizer.conftest import make_members
    from webapp.extensions import db
    from webapp.models import DashboardSnapshot
    from webapp.models._time import utcnow
    from webapp.services.communities import create_community

    people = make_members(4, prefix="d")
    fresh, old, marked, unopened = (create_community(p, f"C{n}") for n, p in enumerate(people))
    for community in (fresh, old, marked):
        dashboard.refresh(community)
    db.session.get(DashboardSnapshot, old.id).computed_at = utcnow() - timedelta(hours=1)
    dashboard.forget(marked.id)
    db.session.commit()

    def computed(community):  # type: ignore[no-untyped-def]
        db.session.expire_all()
        snapshot = db.session.get(DashboardSnapshot, community.id)
        return snapshot.computed_at if snapshot else None

    before = {c.id: computed(c) for c in (fresh, old)}
    assert dashboard.refresh_due(budget=0) == 1
    assert computed(marked) > datetime(2000, 1, 1), "the one publishing marked stale first"
    assert computed(old) == before[old.id]
    assert dashboard.refresh_due(budget=0) == 1
    assert computed(old) > before[old.id], "then the oldest"
    assert dashboard.refresh_due(budget=60) == 0
    assert computed(fresh) == before[fresh.id] and computed(unopened) is None

    monkeypatch.setattr(dashboard, "INLINE_REFRESH_MAX_MEMBERS", 0)  # every community large
    dashboard.forget(fresh.id)
    db.session.commit()
    assert dashboard.refresh_due(budget=0) == 1
    assert computed(unopened) is not None, "a large community without one comes first"
    assert computed(fresh) == datetime(2000, 1, 1)
    assert dashboard.refresh_due(budget=0) == 1 and computed(fresh) > datetime(2000, 1, 1)
