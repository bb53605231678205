"""A dependency-free SVG line chart: share of members with a strong tie, per round and policy.

Written by hand (no matplotlib) so `python -m bench.simulation` runs from a clean clone
with the project's own dependencies; any browser or the README renders the file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from bench.simulation.report import Outcome

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 60, 200, 40, 50
COLOURS = [
    "#555555", "#8c564b", "#17becf", "#9ecae1", "#3182bd",
    "#fdae6b", "#e6550d", "#74c476", "#006d2c", "#756bb1",
]  # fmt: skip


def svg_chart(results: dict[str, Outcome], title: str) -> str:
    """The chart as SVG text."""
    rounds = max(len(o.series) for o in results.values())
    top = max(0.05, max(max(o.series) for o in results.values()))
    top = (int(top * 20) + 1) / 20  # round up to the next 0.05
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(r: int) -> float:
        return LEFT + plot_w * (r - 1) / max(1, rounds - 1)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="14">{escape(title)}</text>',
    ]
    for k in range(int(round(top / 0.05)) + 1):
        v = k * 0.05
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="#dddddd"/><text x="{LEFT - 8}" y="{y(v) + 4:.1f}" '
            f'text-anchor="end">{v:.2f}</text>'
        )
    for r in range(1, rounds + 1):
        parts.append(
            f'<text x="{x(r):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{r}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">round (week)</text>'
    )
    for k, (name, o) in enumerate(results.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x(r + 1):.1f},{y(v):.1f}" for r, v in enumerate(o.series))
        width = 3 if name == "balanced" else 1.5
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{points}"/>'
        )
        ly = TOP + 16 * k + 6
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 15}" x2="{WIDTH - RIGHT + 35}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="{width}"/><text x="{WIDTH - RIGHT + 40}" '
            f'y="{ly + 4}">{escape(name)} ({o.series[-1]:.2f})</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_chart(results: dict[str, Outcome], path: Path, title: str) -> Path:
    """Write the SVG chart to ``path`` (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg_chart(results, title), encoding="utf-8")
    return path
