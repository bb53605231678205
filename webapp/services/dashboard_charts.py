"""The dashboard's charts as server-side SVG (pygal), so pages work without JavaScript.

pygal is told to link no script (its default is a CDN script for tooltips): the SVG is
drawn complete on the server and inlined into the page. pygal also puts its CSS in a
`<style>` element inside every SVG, scoped to that chart's random id; the
Content-Security-Policy (`style-src 'self'`) blocks inline styles, so `_svg` removes it
and the same rules, scoped to the `pygal-chart` class instead, are served as
`static/charts.css` (written by `write_stylesheet`; a test keeps it in step with pygal).
The ripple effect is a network drawing (`network_chart`). Each chart comes with the one
line of explanation shown under it and the CSV export that holds its numbers.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

# pygal appends a legacy `sys.meta_path` finder (for its optional map plugins, unused
# here) that makes every later failed import emit an ImportWarning; take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

from webapp.services import network_chart  # noqa: E402  (imported once that finder is gone)

#: High-contrast colours that stay apart for common colour-vision deficiencies.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f1d1a",
    foreground_strong="#1f1d1a",
    foreground_subtle="#5c554c",
    colors=("#a3431d", "#1a56db", "#256029", "#6b3fa0", "#8a6d00"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
)
CONFIG = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "width": 760,
    "height": 320,
    "show_legend": True,
    "legend_at_bottom": True,
    "x_label_rotation": 30,
    "truncate_label": 12,
    "show_minor_x_labels": False,
    "print_values": False,
}


#: Line charts mark every point up to this many points.
DOTS_UP_TO = 40
_SCRIPT = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.S)
#: Inline CSS the Content-Security-Policy would block: `<style>` elements, `style=""`.
_INLINE_STYLE = re.compile(r"<style\b.*?</style>|\sstyle=\"[^\"]*\"", re.S)
_STYLE_BODY = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
#: Where the charts' stylesheet is served from (`url_for('static', filename='charts.css')`).
STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "charts.css"
#: Rules of our own: the hidden tooltip (pygal sets it by a style attribute) and the network.
EXTRA_CSS = """
.pygal-chart .tooltip{opacity:0}
svg.network{background:#ffffff;font-family:system-ui,sans-serif}
svg.network .edges line{stroke:#8a8178;stroke-width:1.2;stroke-opacity:.7}
svg.network .nodes circle{stroke:#ffffff;stroke-width:1}
svg.network .group-0{fill:#a3431d}
svg.network .group-1{fill:#1a56db}
svg.network .group-2{fill:#256029}
svg.network .group-3{fill:#6b3fa0}
svg.network .group-4{fill:#8a6d00}
svg.network text.empty{fill:#5c554c;font-size:16px;text-anchor:middle}
"""


@dataclass(frozen=True)
class Chart:
    """One chart: its anchor id, title, one-line explanation, SVG and CSV name."""

    id: str
    title: str
    explanation: str
    svg: Markup
    csv: str


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


#: The legend's ids, used only by pygal's script (dropped): with several charts on a page
#: every chart would repeat them.
_LEGEND_ID = re.compile(r'\s+id="activate-serie-\d+"')


def without_inline_style(svg: str) -> Markup:
    """A chart's SVG without pygal's script, comments, inline CSS (the page's CSP would
    block the CSS anyway: `static/charts.css` carries it) and script-only legend ids."""
    return Markup(_LEGEND_ID.sub("", _INLINE_STYLE.sub("", _SCRIPT.sub("", svg))))


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    return without_inline_style(chart.render(is_unicode=True))


def stylesheet() -> str:
    """pygal's CSS for `STYLE`, scoped to the `pygal-chart` class instead of one chart's
    id (so one file serves every chart), plus `EXTRA_CSS`."""
    chart = pygal.Line(**CONFIG)
    for n in range(len(STYLE.colors)):  # a series per colour, so every colour rule is made
        chart.add(str(n), [n])
    drawn = chart.render(is_unicode=True)
    chart_id = re.search(r'id="(chart-[0-9a-f-]+)"', drawn)
    body = _STYLE_BODY.search(drawn)
    assert chart_id and body, "pygal changed how it writes its CSS"
    css = html.unescape(body.group(1)).replace("#" + chart_id.group(1), ".pygal-chart")
    header = (
        "/* Written by webapp/services/dashboard_charts.py write_stylesheet(); do not edit. */\n"
    )
    return header + css.strip() + "\n" + EXTRA_CSS.lstrip()


def write_stylesheet() -> Path:
    """Write `static/charts.css` (after changing `STYLE` or upgrading pygal)."""
    STYLESHEET.write_text(stylesheet(), encoding="utf-8")
    return STYLESHEET


def _line(title: str, labels: list[str], series: dict[str, list], **options) -> Markup:  # type: ignore[no-untyped-def]
    # Beyond a few dozen points, dots only clutter the line and slow the drawing down.
    dots = {"show_dots": len(labels) <= DOTS_UP_TO}
    chart = pygal.Line(title=title, **{**CONFIG, **dots, **options})
    chart.x_labels = labels
    chart.x_labels_major_every = max(1, len(labels) // 12)
    for name, values in series.items():
        chart.add(name, values)
    return _svg(chart)


def _bar(title: str, labels: list[str], series: dict[str, list], **options) -> Markup:  # type: ignore[no-untyped-def]
    chart = pygal.Bar(title=title, **{**CONFIG, **options})
    chart.x_labels = labels
    chart.x_labels_major_every = max(1, len(labels) // 12)
    for name, values in series.items():
        chart.add(name, values)
    return _svg(chart)


def _network(data: dict) -> dict:
    """The snapshot's network layout (an empty one for snapshots stored before it existed)."""
    return data.get("network") or {
        "width": network_chart.WIDTH,
        "height": 60,
        "nodes": [],
        "edges": [],
        "connected": data["ripple"]["members"]
        - round((data["ripple"]["isolated_share"] or 0) * data["ripple"]["members"]),
        "isolated": round((data["ripple"]["isolated_share"] or 0) * data["ripple"]["members"]),
        "groups": data["ripple"]["components"],
        "groups_drawn": 0,
    }


def charts(data: dict) -> list[Chart]:
    """Every dashboard chart for (date-filtered) snapshot data, with titles, legends and
    explanations in the language in force."""
    months = [r["month"] for r in data["members"]]
    meetups = data["meetups"]
    dates = [r["date"] for r in meetups]
    depth = data["depth"]["series"]
    left = data["left_out"]
    well = data["wellbeing"]
    percent = {"range": (0, 100), "value_formatter": lambda v: f"{v:.0f}%"}
    return [
        Chart(
            "members",
            _("Members over time"),
            _(
                "Members so far, sign-ups per month, and members "
                "active in the 30 days up to each month's end (opted in or gave feedback)."
            ),
            _line(
                _("Members"),
                months,
                {
                    _("Members"): [r["members"] for r in data["members"]],
                    _("Active (30 days)"): [r["active"] for r in data["members"]],
                    _("Sign-ups"): [r["signups"] for r in data["members"]],
                },
            ),
            "members",
        ),
        Chart(
            "rates",
            _("Opt-in and match rate"),
            _(
                "Per meetup: who opted in, of the members then, "
                "and who was placed in a group, of those who opted in."
            ),
            _line(
                _("Opt-in and match rate"),
                dates,
                {
                    _("Opt-in rate"): [_pct(r["optin_rate"]) for r in meetups],
                    _("Match rate"): [_pct(r["match_rate"]) for r in meetups],
                },
                **percent,
            ),
            "meetups",
        ),
        Chart(
            "attendance",
            _("Attendance and no-shows"),
            _(
                "Of the placed members who reported back: who came, and who stayed away "
                "without saying they could not make it."
            ),
            _line(
                _("Attendance"),
                dates,
                {
                    _("Came"): [_pct(r["attendance_rate"]) for r in meetups],
                    _("No-show"): [_pct(r["no_show_rate"]) for r in meetups],
                },
                **percent,
            ),
            "meetups",
        ),
        Chart(
            "feedback",
            _("Feedback score"),
            _("The average rating members gave each meetup, from 1 (poor) to 5 (great)."),
            _line(
                _("Average rating"),
                dates,
                {_("Rating"): [r["avg_rating"] for r in meetups]},
                range=(1, 5),
            ),
            "meetups",
        ),
        Chart(
            "depth",
            _("Connection depth"),
            _(
                'Pairs who both said "meet again", added up over '
                "time, and the share of groups that brought people together again."
            ),
            _line(
                _("Connection depth"),
                [r["date"] for r in depth],
                {
                    _("Mutual meet-again pairs"): [r["mutual_pairs"] for r in depth],
                    _("Repeat groups (%)"): [_pct(r["repeat_group_rate"]) for r in depth],
                },
            ),
            "depth",
        ),
        Chart(
            "left-out",
            _("Who is being left out"),
            _(
                "Members not placed twice or more, members with no mutual meet-again after "
                "three meetups, first-timers who did not return."
            ),
            _bar(
                _("Left out (members)"),
                [_("Unplaced twice"), _("No mutual after 3"), _("Did not return")],
                {
                    _("Members"): [
                        left[k]["count"]
                        for k in ("unplaced_twice", "no_mutual", "first_timer_gone")
                    ]
                },
                x_label_rotation=0,
                truncate_label=-1,
            ),
            "left-out",
        ),
        Chart(
            "ripple",
            _("The ripple effect"),
            _(
                "Each dot is a member, each line a mutual meet-again; one big web means "
                "friendships are spreading."
            )
            + " "
            + network_chart.caption(_network(data)),
            network_chart.svg(_network(data)),
            "ripple",
        ),
        Chart(
            "wellbeing",
            _("Wellbeing trend"),
            _(
                "Average loneliness check-in (3 = rarely lonely, "
                "9 = often), only for months with at least 10 answers; never per person."
            ),
            _line(
                _("Loneliness check-in"),
                [r["month"] for r in well],
                {_("Average"): [r["average"] for r in well]},
                range=(3, 9),
            ),
            "wellbeing",
        ),
    ]


if __name__ == "__main__":
    print(f"wrote {write_stylesheet()}")
