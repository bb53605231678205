"""The dashboard's charts under the Content-Security-Policy, and the ripple network drawing
checked against the small community worked out by hand (see small_community.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.web.organizer.conftest import logged_in_client
from tests.web.organizer.small_community import NOW, seed_small_community
from webapp.extensions import db
from webapp.models import DashboardSnapshot
from webapp.security_headers import CONTENT_SECURITY_POLICY
from webapp.services import dashboard, dashboard_charts, network_chart
from webapp.services.metrics_history import load_history


class _InlineStyles(HTMLParser):
    """Collects what a `style-src 'self'` policy blocks: <style> elements and style="" ."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        names = dict(attrs)
        if tag == "style":
            self.blocked.append("<style>")
        if "style" in names:
            self.blocked.append(f'<{tag} style="{names["style"]}">')
        if tag == "link" and names.get("rel") == "stylesheet":
            self.stylesheets.append(names["href"])

    handle_startendtag = handle_starttag


def _dashboard(app):  # type: ignore[no-untyped-def]
    community, people, _ = seed_small_community()
    client = logged_in_client(app, people["O"])
    return community, client, client.get(f"/organize/{community.slug}")


def test_chart_markup_has_no_inline_style_the_csp_blocks(app):  # type: ignore[no-untyped-def]
    assert "style-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    _, client, response = _dashboard(app)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    page = response.get_data(as_text=True)
    assert page.count('class="pygal-chart"') == 7 and page.count('class="network"') == 1
    found = _InlineStyles()
    found.feed(page)
    assert found.blocked == [], found.blocked[:5]
    # the charts' look comes from a same-origin stylesheet instead
    assert "/static/charts.css" in found.stylesheets
    with client.get("/static/charts.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
        text = css.get_data(as_text=True)
    assert ".pygal-chart .color-0" in text and "#a3431d" in text
    assert "svg.network .edges line" in text


def test_the_served_stylesheet_is_what_pygal_would_inline() -> None:
    """If pygal or STYLE changes, regenerate with `python -m webapp.services.dashboard_charts`."""
    committed = dashboard_charts.STYLESHEET.read_text(encoding="utf-8")
    assert committed == dashboard_charts.stylesheet()
    assert "#chart-" not in committed, "scoped to the class, not to one chart's id"


def test_snapshots_stored_before_the_fix_are_cleaned_when_shown(app):  # type: ignore[no-untyped-def]
    community, client, _ = _dashboard(app)
    snapshot = db.session.get(DashboardSnapshot, community.id)
    old = dict(snapshot.data)
    old["drawn"] = [
        {**c, "svg": c["svg"].replace("<svg ", '<svg style="x"><style>.a{}</style><g ', 1)}
        for c in old["drawn"]
    ]
    snapshot.data = old
    db.session.commit()
    found = _InlineStyles()
    found.feed(client.get(f"/organize/{community.slug}").get_data(as_text=True))
    assert found.blocked == []


def test_ripple_network_of_the_small_community(app):  # type: ignore[no-untyped-def]
    community, _, _ = seed_small_community()
    drawing = network_chart.layout(load_history(community))
    # the triangle A-B-C is the only connected group; O, D, E, F, G are not connected yet
    assert (drawing["connected"], drawing["isolated"], drawing["groups"]) == (3, 5, 1)
    assert len(drawing["nodes"]) == 3 and sorted(map(sorted, drawing["edges"])) == [
        [0, 1],
        [0, 2],
        [1, 2],
    ]
    xs = [x for x, _, _ in drawing["nodes"]]
    ys = [y for _, y, _ in drawing["nodes"]]
    assert min(xs) >= 0 and max(xs) <= drawing["width"]
    assert min(ys) >= 0 and max(ys) <= drawing["height"]
    assert len({(x, y) for x, y in zip(xs, ys, strict=True)}) == 3, "dots do not overlap"
    svg = str(network_chart.svg(drawing))
    assert svg.count("<circle") == 3 and svg.count("<line") == 3
    assert "3 members in 1 connected groups; 5 members without" in svg
    data = dashboard.compute(community, now=NOW)
    ripple = next(c for c in dashboard_charts.charts(data) if c.id == "ripple")
    assert ripple.svg.count("<circle") == 3 and ripple.svg.count("<line") == 3


def test_a_large_graph_draws_the_largest_groups_within_the_limit() -> None:
    # 40 rings of 10 members plus 30 loose pairs: 460 connected, more than MAX_NODES
    edges = [(r * 10 + i, r * 10 + (i + 1) % 10) for r in range(40) for i in range(10)]
    edges += [(1000 + 2 * p, 1001 + 2 * p) for p in range(30)]
    drawing = network_chart.layout(_history(edges, extra_members=7))
    assert drawing["connected"] == 460 and drawing["isolated"] == 7
    assert drawing["groups"] == 70
    assert len(drawing["nodes"]) == network_chart.MAX_NODES == 300
    assert drawing["groups_drawn"] == 30 and len(drawing["edges"]) == 300
    assert "The 30 largest groups (300 members) are drawn." in network_chart.caption(drawing)
    for x, y, _ in drawing["nodes"]:
        assert 0 <= x <= drawing["width"] and 0 <= y <= drawing["height"]


def test_one_huge_web_is_drawn_as_a_connected_part_of_it() -> None:
    # a chain of 1000 members, every fifth also tied to the hub 0: one group of 1000
    edges = [(m, m + 1) for m in range(999)] + [(0, m) for m in range(5, 1000, 5)]
    drawing = network_chart.layout(_history(edges, extra_members=3))
    assert (drawing["connected"], drawing["groups"], drawing["sampled"]) == (1000, 1, True)
    assert len(drawing["nodes"]) == network_chart.MAX_NODES
    # the part drawn is connected: every dot has a line
    ends = {i for edge in drawing["edges"] for i in edge}
    assert ends == set(range(network_chart.MAX_NODES))
    assert "Drawn: 300 members of the largest group" in network_chart.caption(drawing)


def _history(edges: list[tuple[int, int]], extra_members: int = 0):  # type: ignore[no-untyped-def]
    """A History holding just members and mutual pairs (all after one meetup)."""
    from datetime import datetime

    from webapp.services.metrics_history import History, PastMeetup

    when = datetime(2030, 1, 1)
    members = {m for e in edges for m in e} | {5000 + n for n in range(extra_members)}
    feedback = [(1, a, b, True, when) for a, b in edges] + [(1, b, a, True, when) for a, b in edges]
    return History(
        meetups=[PastMeetup(1, "M", when, when)],
        members={m: (f"M{m}", when) for m in members},
        seats=[],
        optins=[],
        feedback=[],
        pair_feedback=feedback,
    )


def test_no_mutual_pairs_draws_a_clear_empty_state() -> None:
    drawing = network_chart.layout(_history([], extra_members=4))
    svg = str(network_chart.svg(drawing))
    assert "No mutual meet-again pairs yet." in svg and "<circle" not in svg
    assert re.search(r'viewBox="0 0 760 60', svg)
