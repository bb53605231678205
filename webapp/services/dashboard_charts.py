"""The dashboard's charts as server-side SVG (pygal), so pages work without JavaScript.

pygal is told to link no script (its default is a CDN script for tooltips): the SVG is
drawn complete on the server and inlined into the page. Each chart comes with the one
line of explanation shown under it and the CSV export that holds its numbers.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import pygal
from markupsafe import Markup
from pygal.style import Style

# pygal appends a legacy `sys.meta_path` finder (for its optional map plugins, unused
# here) that makes every later failed import emit an ImportWarning; take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

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


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    """The chart's SVG without pygal's inline config script (nothing reads it: no JS)."""
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


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


def charts(data: dict) -> list[Chart]:
    """Every dashboard chart for (date-filtered) snapshot data."""
    months = [r["month"] for r in data["members"]]
    meetups = data["meetups"]
    dates = [r["date"] for r in meetups]
    depth = data["depth"]["series"]
    left = data["left_out"]
    ripple = data["ripple"]
    well = data["wellbeing"]
    percent = {"range": (0, 100), "value_formatter": lambda v: f"{v:.0f}%"}
    return [
        Chart(
            "members",
            "Members over time",
            "Members so far, sign-ups per month, and members "
            "active in the 30 days up to each month's end (opted in or gave feedback).",
            _line(
                "Members",
                months,
                {
                    "Members": [r["members"] for r in data["members"]],
                    "Active (30 days)": [r["active"] for r in data["members"]],
                    "Sign-ups": [r["signups"] for r in data["members"]],
                },
            ),
            "members",
        ),
        Chart(
            "rates",
            "Opt-in and match rate",
            "Per meetup: who opted in, of the members then, "
            "and who was placed in a group, of those who opted in.",
            _line(
                "Opt-in and match rate",
                dates,
                {
                    "Opt-in rate": [_pct(r["optin_rate"]) for r in meetups],
                    "Match rate": [_pct(r["match_rate"]) for r in meetups],
                },
                **percent,
            ),
            "meetups",
        ),
        Chart(
            "attendance",
            "Attendance and no-shows",
            "Of the placed members who reported "
            "back: who came, and who stayed away without saying they could not make it.",
            _line(
                "Attendance",
                dates,
                {
                    "Came": [_pct(r["attendance_rate"]) for r in meetups],
                    "No-show": [_pct(r["no_show_rate"]) for r in meetups],
                },
                **percent,
            ),
            "meetups",
        ),
        Chart(
            "feedback",
            "Feedback score",
            "The average rating members gave each meetup, from 1 (poor) to 5 (great).",
            _line(
                "Average rating",
                dates,
                {"Rating": [r["avg_rating"] for r in meetups]},
                range=(1, 5),
            ),
            "meetups",
        ),
        Chart(
            "depth",
            "Connection depth",
            'Pairs who both said "meet again", added up over '
            "time, and the share of groups that brought people together again.",
            _line(
                "Connection depth",
                [r["date"] for r in depth],
                {
                    "Mutual meet-again pairs": [r["mutual_pairs"] for r in depth],
                    "Repeat groups (%)": [_pct(r["repeat_group_rate"]) for r in depth],
                },
            ),
            "depth",
        ),
        Chart(
            "left-out",
            "Who is being left out",
            "Members not placed twice or more, members "
            "with no mutual meet-again after three meetups, first-timers who did not return.",
            _bar(
                "Left out (members)",
                ["Unplaced twice", "No mutual after 3", "Did not return"],
                {
                    "Members": [
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
            "The ripple effect",
            "Groups of members linked by mutual meet-again "
            "(largest first): one big group means friendships are spreading.",
            _bar(
                "Connected groups by size",
                [str(n + 1) for n in range(len(ripple["component_sizes"][:30]))],
                {"Members": ripple["component_sizes"][:30]},
                show_legend=False,
            ),
            "ripple",
        ),
        Chart(
            "wellbeing",
            "Wellbeing trend",
            "Average loneliness check-in (3 = rarely lonely, "
            "9 = often), only for months with at least 10 answers; never per person.",
            _line(
                "Loneliness check-in",
                [r["month"] for r in well],
                {"Average": [r["average"] for r in well]},
                range=(3, 9),
            ),
            "wellbeing",
        ),
    ]
