"""The organizer dashboard's figures: computed from history into a stored snapshot.

Computing every metric reads the community's whole history, which on a large community
takes seconds; the dashboard page must answer in well under half a second. So a worker
task (`hearth.refresh_dashboards`, every ten minutes) refreshes a `DashboardSnapshot` per
community, charts for all dates included, and the page reads that one row and filters its
series by the chosen date range (charts for a range are drawn once and kept in memory).
Publishing marks the snapshot stale; see `snapshot_of` for when a page recomputes it.

Each tick refreshes only snapshots that are used (stored, i.e. the dashboard was opened,
or of a community too large for a page view to compute), stalest first, and stops
starting new ones once it has spent `DASHBOARD_REFRESH_BUDGET` seconds (`refresh_due`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.i18n import current_language
from webapp.models import Community, DashboardSnapshot, Membership
from webapp.models._time import utcnow
from webapp.services import (
    dashboard_charts,
    metrics,
    metrics_depth,
    metrics_left_out,
    network_chart,
)
from webapp.services.metrics_history import load_history

log = logging.getLogger(__name__)

#: A snapshot older than this is recomputed when the page is opened.
SNAPSHOT_MAX_AGE = timedelta(minutes=15)
#: The periodic refresh leaves snapshots younger than this alone.
REFRESH_AFTER = timedelta(minutes=5)
#: Up to this many members a stale snapshot is recomputed within the page view (well under
#: a second); larger communities see the stored figures until the worker's next refresh.
INLINE_REFRESH_MAX_MEMBERS = 2000


def compute(community: Community, now: datetime | None = None) -> dict:
    """Every dashboard figure and series of a community, as plain JSON-able data."""
    now = now or utcnow()
    history = load_history(community)
    return {
        "computed_at": now.isoformat(timespec="seconds"),
        "member_total": len(history.members),
        "active_30d": metrics.active_members(history, now),
        "members": metrics.members_over_time(history, now),
        "meetups": metrics.per_meetup(history),
        "depth": metrics_depth.depth(history),
        "ripple": metrics_depth.ripple(history),
        "network": network_chart.layout(history),
        "left_out": metrics_left_out.left_out(history),
        "wellbeing": metrics.wellbeing(history),
    }


def refresh(community: Community) -> dict:
    """Recompute and store the community's snapshot, with its charts for the default
    (all dates) view already drawn; return its data."""
    data = compute(community)
    data["drawn"] = [asdict(chart) for chart in dashboard_charts.charts(data)]
    data["drawn_language"] = current_language()
    snapshot = db.session.get(DashboardSnapshot, community.id)
    if snapshot is None:
        snapshot = DashboardSnapshot(community_id=community.id)
        db.session.add(snapshot)
    snapshot.data, snapshot.computed_at = data, utcnow()
    db.session.commit()
    log.info("dashboard snapshot of community %s refreshed", community.id)
    return data


def refresh_due(budget: float | None = None) -> int:
    """The worker's periodic task: refresh the snapshots that need it, stalest first,
    until `budget` seconds (default: the `DASHBOARD_REFRESH_BUDGET` setting) are spent;
    return how many were refreshed.

    Needing it: a stored snapshot older than `REFRESH_AFTER` (publishing marks one stale
    at once), and a large community (over INLINE_REFRESH_MAX_MEMBERS members, too large
    to compute in a page view) without one. A small community whose dashboard was never
    opened gets its first snapshot from that first page view, not from every tick: at
    2,000 communities refreshing all of them took 165 s of a matching process every ten
    minutes, in the hour their deadlines fell (issue 16). Each refresh commits on its
    own, so a tick stopped midway loses nothing already done.
    """
    if budget is None:
        budget = current_app.config["DASHBOARD_REFRESH_BUDGET"]
    stale = (
        select(DashboardSnapshot.community_id)
        .where(DashboardSnapshot.computed_at < utcnow() - REFRESH_AFTER)
        .order_by(DashboardSnapshot.computed_at, DashboardSnapshot.community_id)
    )
    large_without = (
        select(Membership.community_id)
        .outerjoin(DashboardSnapshot, DashboardSnapshot.community_id == Membership.community_id)
        .where(DashboardSnapshot.community_id.is_(None))
        .group_by(Membership.community_id)
        .having(func.count() > INLINE_REFRESH_MAX_MEMBERS)
        .order_by(Membership.community_id)
    )
    due = [*db.session.scalars(large_without), *db.session.scalars(stale)]
    stop_at = time.monotonic() + budget
    done = 0
    for community_id in due:
        if done and time.monotonic() >= stop_at:
            log.info("dashboards: %s of %s due left for the next tick", len(due) - done, len(due))
            break
        community = db.session.get(Community, community_id)
        if community is not None:
            refresh(community)
        done += 1
    return done


def forget(community_id: int) -> None:
    """Mark a snapshot stale in the current transaction (e.g. after publishing)."""
    snapshot = db.session.get(DashboardSnapshot, community_id)
    if snapshot is not None:
        snapshot.computed_at = datetime(2000, 1, 1)


def snapshot_of(community: Community) -> dict:
    """The stored snapshot: computed now if there is none, or if it is stale and the
    community small enough to recompute within a page view; otherwise the stored one
    (the worker refreshes it within minutes)."""
    snapshot = db.session.get(DashboardSnapshot, community.id)
    if snapshot is None:
        return refresh(community)
    stale = snapshot.computed_at < utcnow() - SNAPSHOT_MAX_AGE
    if stale and snapshot.data.get("member_total", 0) <= INLINE_REFRESH_MAX_MEMBERS:
        return refresh(community)
    return snapshot.data


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of dates; either end may be open."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: str) -> bool:
        """Whether an ISO date (or a YYYY-MM month, by its days) falls in the range."""
        if len(day) == 7:  # a month overlaps the range
            first = date.fromisoformat(day + "-01")
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
            return (self.start is None or last >= self.start) and (
                self.end is None or first <= self.end
            )
        when = date.fromisoformat(day)
        return (self.start is None or when >= self.start) and (self.end is None or when <= self.end)


def filtered(data: dict, period: DateRange) -> dict:
    """The snapshot with every time series limited to the date range (figures stay as of
    the snapshot: they describe the community now)."""
    result = dict(data)
    result["members"] = [r for r in data["members"] if period.holds(r["month"])]
    result["meetups"] = [r for r in data["meetups"] if period.holds(r["date"])]
    result["wellbeing"] = [r for r in data["wellbeing"] if period.holds(r["month"])]
    result["depth"] = {
        **data["depth"],
        "series": [r for r in data["depth"]["series"] if period.holds(r["date"])],
    }
    return result


def charts_for(community_id: int, data: dict, period: DateRange) -> list[dashboard_charts.Chart]:
    """The charts of a snapshot for a date range: stored ones for all dates in the language
    they were drawn in, else drawn once per snapshot, range and language and kept in memory."""
    language = current_language()
    if period == DateRange() and data.get("drawn") and data.get("drawn_language", "en") == language:
        # Snapshots stored before the CSP fix still hold pygal's <style>: strip it here too.
        return [
            dashboard_charts.Chart(**{**c, "svg": dashboard_charts.without_inline_style(c["svg"])})
            for c in data["drawn"]
        ]
    key = (community_id, data["computed_at"], period, language)
    if key not in _DRAWN:
        if len(_DRAWN) >= 64:
            _DRAWN.pop(next(iter(_DRAWN)))
        _DRAWN[key] = dashboard_charts.charts(filtered(data, period))
    return _DRAWN[key]


#: Charts drawn for a date range or another language than the stored ones, per (community,
#: snapshot time, range, language); oldest dropped first.
_DRAWN: dict[tuple[int, str, DateRange, str], list[dashboard_charts.Chart]] = {}
