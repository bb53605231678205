"""The ripple effect drawn as a network: members as dots, mutual "meet again" as lines.

`layout` runs with the dashboard snapshot (in the worker, see `dashboard.compute`): it
places the connected members with a force-directed layout (Fruchterman-Reingold, in
numpy), one cluster per connected group, largest first, packed left to right, and keeps
only coordinates, so the page merely writes them out. `svg` draws the stored layout as
plain SVG shapes with classes; their look comes from `static/charts.css` (the
Content-Security-Policy allows no inline style). Dots carry no names: the drawing shows
the shape of the community, the private lists name people.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from flask_babel import gettext
from markupsafe import Markup, escape

from webapp.services.metrics_depth import mutual_pairs_by_meetup
from webapp.services.metrics_history import History

#: At most this many members are drawn (largest connected groups first); a drawing with
#: more dots is no easier to read, and the page stays small.
MAX_NODES = 300
WIDTH = 760
#: Side of the square a group of one hundred members gets; smaller groups get less.
CELL = 300.0
MARGIN = 14.0
ITERATIONS = 60


def _spring(n: int, edges: list[tuple[int, int]], seed: int) -> np.ndarray:
    """Positions in [-1, 1]² for one connected group (force-directed, deterministic)."""
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[-1.0, 0.0], [1.0, 0.0]])
    rng = np.random.default_rng(seed)
    pos = (rng.random((n, 2)) - 0.5).astype(np.float32)
    adjacency = np.zeros((n, n), dtype=np.float32)
    for a, b in edges:
        adjacency[a, b] = adjacency[b, a] = 1.0
    k = 1.0 / math.sqrt(n)
    step = 0.1
    for _ in range(ITERATIONS):
        delta = pos[:, None, :] - pos[None, :, :]
        squared = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), 1e-4)
        force = k * k / squared - adjacency * np.sqrt(squared) / k
        np.fill_diagonal(force, 0.0)
        shift = np.einsum("ijk,ij->ik", delta, force)
        length = np.maximum(np.linalg.norm(shift, axis=1), 0.01)
        pos += shift / length[:, None] * np.minimum(length, step)[:, None]
        step -= 0.1 / (ITERATIONS + 1)
    pos -= pos.mean(axis=0)
    return pos / max(float(np.abs(pos).max()), 1e-9)


def _components(nodes: list[int], edges: set[tuple[int, int]]) -> list[list[int]]:
    """Connected groups of two or more members, largest first (ties by smallest id)."""
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seen: set[int] = set()
    found = []
    for start in nodes:
        if start in seen or start not in neighbours:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            member = todo.pop()
            group.append(member)
            for other in neighbours[member] - seen:
                seen.add(other)
                todo.append(other)
        found.append(sorted(group))
    return sorted(found, key=lambda g: (-len(g), g[0]))


def layout(h: History) -> dict:
    """Coordinates of the connection graph's dots and lines, for `svg` to draw."""
    nodes = sorted(h.members)
    known = set(nodes)
    edges = {
        p
        for pairs in mutual_pairs_by_meetup(h).values()
        for p in pairs
        if p[0] in known and p[1] in known
    }
    groups = _components(nodes, edges)
    connected = sum(len(g) for g in groups)
    drawn: list[list[int]] = []
    budget = MAX_NODES
    sampled = bool(groups) and len(groups[0]) > MAX_NODES
    if sampled:  # one huge web: draw the part around its best-connected member
        drawn.append(_neighbourhood(groups[0], edges, MAX_NODES))
    for group in groups if not sampled else []:
        if len(group) > budget:
            break
        drawn.append(group)
        budget -= len(group)
    points: list[list[float]] = []
    lines: list[list[int]] = []
    x = y = shelf = MARGIN
    if len(drawn) == 1:  # one web alone: in the middle
        x = max(MARGIN, (WIDTH - max(40.0, CELL * math.sqrt(len(drawn[0]) / 100))) / 2)
    row_height = 0.0
    for rank, group in enumerate(drawn):
        side = max(40.0, CELL * math.sqrt(len(group) / 100))
        if x + side > WIDTH - MARGIN and x > MARGIN:
            x, y = MARGIN, y + row_height + MARGIN
            row_height = 0.0
        index = {m: len(points) + i for i, m in enumerate(group)}
        local = {m: i for i, m in enumerate(group)}
        group_edges = sorted((a, b) for a, b in edges if a in local and b in local)
        pos = _spring(len(group), [(local[a], local[b]) for a, b in group_edges], seed=rank)
        half = side / 2 - 5
        for px, py in pos.tolist():
            cx, cy = x + side / 2 + px * half, y + side / 2 + py * half
            points.append([round(cx, 1), round(cy, 1), min(rank, 4)])
        lines += [[index[a], index[b]] for a, b in group_edges]
        x += side + MARGIN
        row_height = max(row_height, side)
        shelf = y + row_height + MARGIN
    return {
        "width": WIDTH,
        "height": round(max(shelf, 60.0), 1),
        "nodes": points,
        "edges": lines,
        "connected": connected,
        "isolated": len(nodes) - connected,
        "groups": len(groups),
        "groups_drawn": len(drawn),
        "sampled": sampled,
    }


def _neighbourhood(group: list[int], edges: set[tuple[int, int]], size: int) -> list[int]:
    """`size` members of a connected group, breadth-first from its best-connected member
    (so the part drawn is itself connected)."""
    neighbours: dict[int, list[int]] = defaultdict(list)
    members = set(group)
    for a, b in sorted(edges):
        if a in members:
            neighbours[a].append(b)
            neighbours[b].append(a)
    start = max(group, key=lambda m: (len(neighbours[m]), -m))
    chosen, queue = {start}, [start]
    while queue and len(chosen) < size:
        member = queue.pop(0)
        for other in neighbours[member]:
            if other not in chosen and len(chosen) < size:
                chosen.add(other)
                queue.append(other)
    return sorted(chosen)


def caption(drawing: dict) -> str:
    """What the drawing shows, in words (its accessible description too)."""
    shown, connected = len(drawing["nodes"]), drawing["connected"]
    text = gettext(
        "%(connected)s members in %(groups)s connected groups; %(isolated)s members without "
        "a mutual meet-again yet are not drawn.",
        connected=connected,
        groups=drawing["groups"],
        isolated=drawing["isolated"],
    )
    if drawing.get("sampled"):
        text += " " + gettext(
            "Drawn: %(shown)s members of the largest group, around its best-connected one.",
            shown=shown,
        )
    elif shown < connected:
        text += " " + gettext(
            "The %(drawn)s largest groups (%(shown)s members) are drawn.",
            drawn=drawing["groups_drawn"],
            shown=shown,
        )
    return text


def svg(drawing: dict) -> Markup:
    """The stored layout as SVG: one line per mutual pair, one dot per member."""
    nodes = drawing["nodes"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" role="img" '
        f'viewBox="0 0 {drawing["width"]} {drawing["height"]}" '
        f'aria-labelledby="network-title network-desc">',
        '<title id="network-title">'
        + escape(gettext("Connection graph: members linked by mutual meet-again"))
        + "</title>",
        f'<desc id="network-desc">{escape(caption(drawing))}</desc>',
    ]
    if not nodes:
        parts.append(
            f'<text class="empty" x="{drawing["width"] / 2}" y="35">'
            + escape(gettext("No mutual meet-again pairs yet."))
            + "</text>"
        )
    parts.append('<g class="edges">')
    for a, b in drawing["edges"]:
        (x1, y1, _), (x2, y2, _) = nodes[a], nodes[b]
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    parts.append('</g><g class="nodes">')
    for x, y, rank in nodes:
        parts.append(f'<circle class="group-{rank}" cx="{x}" cy="{y}" r="4.5"/>')
    parts.append("</g></svg>")
    return Markup("".join(parts))
