"""Connection depth and the ripple effect: are members forming lasting ties?

Definitions (pure functions of a `History`; only published meetups count):
- a *mutual pair* is two members who both said "meet again" after the same meetup;
- two members *met* once per meetup in which they shared a group;
- a *repeat group* contains at least one pair who had met at an earlier meetup;
- the *connection graph* has every member as a node and every mutual pair as an edge:
  its components (counting only those of two or more members), the largest one, the
  share of isolated members (no edge) and the average clustering coefficient (over all
  members; fewer than two neighbours counts as 0, as networkx does).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from webapp.services.metrics_history import History

Pair = tuple[int, int]


def _groups_by_meetup(h: History) -> dict[int, list[list[int]]]:
    groups: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for meetup_id, group_id, member, _ in h.seats:
        groups[meetup_id][group_id].append(member)
    return {m: [sorted(g) for g in gs.values()] for m, gs in groups.items()}


def mutual_pairs_by_meetup(h: History) -> dict[int, set[Pair]]:
    """The mutual pairs formed after each published meetup (worked out once per history)."""
    if h.cache.get("mutual") is None:
        h.cache["mutual"] = _mutual_pairs(h)
    return h.cache["mutual"]


def _mutual_pairs(h: History) -> dict[int, set[Pair]]:
    published = {m.id for m in h.meetups}
    said = {(m, a, b) for m, a, b, again, _ in h.pair_feedback if again and m in published}
    found: dict[int, set[Pair]] = defaultdict(set)
    for meetup_id, a, b in said:
        if a < b and (meetup_id, b, a) in said:
            found[meetup_id].add((a, b))
    return found


def times_met(h: History) -> Counter[Pair]:
    """How many published meetups each pair shared a group in."""
    met: Counter[Pair] = Counter()
    for groups in _groups_by_meetup(h).values():
        for group in groups:
            met.update(combinations(group, 2))
    return met


def depth(h: History) -> dict:
    """Per-meetup series and current figures of connection depth."""
    formed = mutual_pairs_by_meetup(h)
    groups = _groups_by_meetup(h)
    seen_pairs: set[Pair] = set()
    met_before: set[Pair] = set()
    series, total_groups, total_repeat = [], 0, 0
    for meetup in h.meetups:
        seen_pairs |= formed.get(meetup.id, set())
        meetup_groups = groups.get(meetup.id, [])
        repeat = sum(1 for g in meetup_groups if any(p in met_before for p in combinations(g, 2)))
        for g in meetup_groups:
            met_before.update(combinations(g, 2))
        total_groups += len(meetup_groups)
        total_repeat += repeat
        series.append(
            {
                "meetup_id": meetup.id,
                "date": meetup.date.date().isoformat(),
                "mutual_pairs": len(seen_pairs),
                "groups": len(meetup_groups),
                "repeat_groups": repeat,
                "repeat_group_rate": round(repeat / len(meetup_groups), 4)
                if meetup_groups
                else None,
            }
        )
    met = times_met(h)
    return {
        "series": series,
        "mutual_pairs": len(seen_pairs),
        "members_with_mutual": len({m for p in seen_pairs for m in p}),
        "members_met_3_times": len({m for p, n in met.items() if n >= 3 for m in p}),
        "repeat_group_rate": round(total_repeat / total_groups, 4) if total_groups else None,
    }


def ripple(h: History) -> dict:
    """The connection graph of mutual pairs: components, largest, isolated share, clustering."""
    nodes = sorted(h.members)
    if not nodes:
        return {
            "members": 0,
            "components": 0,
            "largest": 0,
            "isolated_share": None,
            "clustering": None,
            "component_sizes": [],
        }
    index = {m: i for i, m in enumerate(nodes)}
    edges = {
        p
        for pairs in mutual_pairs_by_meetup(h).values()
        for p in pairs
        if p[0] in index and p[1] in index
    }
    rows = [index[a] for a, b in edges] + [index[b] for a, b in edges]
    cols = [index[b] for a, b in edges] + [index[a] for a, b in edges]
    n = len(nodes)
    adjacency = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    _, labels = connected_components(adjacency, directed=False)
    sizes = Counter(labels[degree > 0].tolist())
    triangles = np.asarray(adjacency.multiply(adjacency @ adjacency).sum(axis=1)).ravel() / 2
    possible = degree * (degree - 1) / 2
    clustering = np.divide(triangles, possible, out=np.zeros(n), where=possible > 0)
    return {
        "members": n,
        "components": len(sizes),
        "largest": max(sizes.values(), default=0),
        "isolated_share": round(float((degree == 0).sum()) / n, 4),
        "clustering": round(float(clustering.mean()), 4),
        "component_sizes": sorted(sizes.values(), reverse=True),
    }
