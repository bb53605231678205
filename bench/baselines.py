"""What a community organiser would use instead of Hearth: random, greedy, size-constrained k-means.

All three act like a reasonable bot: each member goes to one of their available slots
(members with the fewest options first, seats respected), each slot is cut into groups as
large as the size range allows (a plain sum favours big groups, so this is the baselines'
best choice), and blocked pairs are repaired by swaps. They return results in the format of
../shared/matching-format.md; ``seconds`` counts the grouping only, not the scoring (and
``cpu_seconds`` the process CPU time of the same span, which a busy machine hardly changes).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse

from bench import features

Instance = dict[str, Any]
Result = dict[str, Any]
KMEANS_N_INIT = 10  # the package's default: k-means as a user would run it
Grouper = Callable[[Instance, list[int], list[int], np.random.Generator], list[list[int]]]


def split_sizes(m: int, lo: int, hi: int, groups: int | None = None) -> list[int]:
    """Balanced group sizes for ``m`` members, as few groups as possible (each in [lo, hi])."""
    g = groups if groups is not None else math.ceil(m / hi)
    if g * lo > m:
        g = m // lo
    placed = min(m, g * hi)
    if g == 0:
        return []
    base, extra = divmod(placed, g)
    return [base + 1] * extra + [base] * (g - extra)


def assign_slots(instance: Instance, rng: np.random.Generator) -> dict[str | None, list[int]]:
    """Put each member in one available slot (fewest options first, emptiest slot wins)."""
    members = instance["members"]
    slots = instance.get("slots") or []
    if not slots:
        return {None: list(range(len(members)))}
    ids = [s["id"] for s in slots]
    left = {s["id"]: s.get("seats") if s.get("seats") is not None else len(members) for s in slots}
    options = [[s for s in (m.get("available") or ids) if s in left] for m in members]
    order = sorted(rng.permutation(len(members)), key=lambda i: len(options[i]))
    out: dict[str | None, list[int]] = {s: [] for s in ids}
    for i in order:
        open_slots = [s for s in options[i] if left[s] > 0]
        if open_slots:
            s = max(open_slots, key=lambda s: left[s])
            out[s].append(int(i))
            left[s] -= 1
    return out


def repair_blocks(
    groups: list[list[int]], blocked: set[frozenset[int]], rng: np.random.Generator
) -> list[int]:
    """Swap members until no group holds a blocked pair; return members that had to leave."""
    dropped: list[int] = []

    def clash(g: list[int], who: int) -> bool:
        return any(frozenset((who, o)) in blocked for o in g if o != who)

    for gi, g in enumerate(groups):
        while True:
            bad = next((m for m in g if clash(g, m)), None)
            if bad is None:
                break
            for _ in range(50):
                gj = int(rng.integers(len(groups)))
                if gj == gi or not groups[gj]:
                    continue
                k = int(rng.integers(len(groups[gj])))
                other = groups[gj][k]
                rest_i = [m for m in g if m != bad]
                rest_j = [m for m in groups[gj] if m != other]
                if not clash(rest_i + [other], other) and not clash(rest_j + [bad], bad):
                    g[g.index(bad)] = other
                    groups[gj][k] = bad
                    break
            else:
                g.remove(bad)
                dropped.append(bad)
    return dropped


def random_groups(inst: Instance, rows: list[int], sizes: list[int], rng: np.random.Generator):
    """Shuffle and cut: what a coffee-chat bot does."""
    order = [rows[k] for k in rng.permutation(len(rows))]
    out, start = [], 0
    for size in sizes:
        out.append(order[start : start + size])
        start += size
    return out


def greedy_groups(inst: Instance, rows: list[int], sizes: list[int], rng: np.random.Generator):
    """Seed each group with a random member, then add the most similar available member."""
    w = slot_weights(inst, rows)
    free = np.ones(len(rows), dtype=bool)
    out = []
    for size in sizes:
        seed = int(rng.choice(np.flatnonzero(free)))
        group, free[seed] = [seed], False
        gain = w[seed].copy()
        while len(group) < size:
            cand = np.where(free, gain, -np.inf)
            pick = int(np.argmax(cand))
            group.append(pick)
            free[pick] = False
            gain += w[pick]
        out.append([rows[k] for k in group])
    return out


def kmeans_groups(inst: Instance, rows: list[int], sizes: list[int], rng: np.random.Generator):
    """``KMeansConstrained`` on the members' feature vectors, sizes within the range."""
    from k_means_constrained import KMeansConstrained

    keep = sorted(rng.choice(len(rows), size=sum(sizes), replace=False)) if sizes else []
    sub = [rows[k] for k in keep]
    if len(sizes) == 1:
        return [sub]
    x = feature_rows(inst, sub)
    lo, hi = inst["group_size"]["min"], inst["group_size"]["max"]
    model = KMeansConstrained(
        n_clusters=len(sizes),
        size_min=lo,
        size_max=hi,
        n_init=inst.get("_bench_kmeans_n_init", KMEANS_N_INIT),
        random_state=int(rng.integers(2**31)),
    )
    labels = model.fit_predict(x)
    out: dict[int, list[int]] = {}
    for row, lab in zip(sub, labels, strict=True):
        out.setdefault(int(lab), []).append(row)
    return list(out.values())


def feature_rows(inst: Instance, rows: list[int]) -> np.ndarray:
    """Dense feature vectors of the given members (tags IDF-weighted, or vectors)."""
    feats = inst["_bench_features"]
    sub = feats[rows]
    return sub.toarray() if sparse.issparse(sub) else np.asarray(sub)


def slot_weights(inst: Instance, rows: list[int]) -> np.ndarray:
    """Dense pair weights (similarity + bonds, blocked = -inf) among the given members."""
    feats = inst["_bench_features"]
    if feats is None:
        w = features.dense_weights(inst)[np.ix_(rows, rows)]
    else:
        sub = feats[rows]
        w = sub @ sub.T
        w = w.toarray() if sparse.issparse(w) else np.asarray(w)
        pos = {r: k for k, r in enumerate(rows)}
        for (a, b), bond in inst["_bench_bonds"].items():
            if a in pos and b in pos:
                w[pos[a], pos[b]] += bond
                w[pos[b], pos[a]] += bond
    pos = {r: k for k, r in enumerate(rows)}
    for pair in inst["_bench_blocked"]:
        a, b = tuple(pair)
        if a in pos and b in pos:
            w[pos[a], pos[b]] = w[pos[b], pos[a]] = -1e9
    np.fill_diagonal(w, 0.0)
    return w


def run_baseline(grouper: Grouper, instance: Instance, *, seed: int = 0) -> Result:
    """Run one grouping strategy per slot and return a scored, format-conforming result."""
    start = time.perf_counter()
    cpu_start = time.process_time()
    rng = np.random.default_rng(seed)
    members = instance["members"]
    idx = features.member_index(instance)
    blocked = {frozenset((idx[a], idx[b])) for a, b in instance.get("blocks") or []}
    inst = dict(instance)
    inst["_bench_features"] = features.feature_matrix(instance)
    inst["_bench_bonds"] = features.bond_map(instance)
    inst["_bench_blocked"] = blocked
    lo, hi = instance["group_size"]["min"], instance["group_size"]["max"]
    groups: list[tuple[list[int], str | None]] = []
    unmatched: dict[int, str] = {}
    by_slot = assign_slots(instance, rng)
    assigned = {i for rows in by_slot.values() for i in rows}
    for i in range(len(members)):
        if i not in assigned:
            unmatched[i] = "no available slot with free seats"
    for slot, rows in by_slot.items():
        sizes = split_sizes(len(rows), lo, hi, instance.get("num_groups") if slot is None else None)
        made = grouper(inst, rows, sizes, rng) if sizes else []
        for i in set(rows) - {i for g in made for i in g}:
            unmatched[i] = "slot had too few members for another group"
        for i in repair_blocks(made, blocked, rng):
            unmatched[i] = "blocked with everyone the bot could swap"
        for g in made:
            if len(g) >= lo:
                groups.append((g, slot))
            else:
                unmatched.update({i: "group too small after block repair" for i in g})
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {**scored_result(instance, groups, unmatched, seconds), "cpu_seconds": cpu_seconds}


def scored_result(
    instance: Instance,
    groups: list[tuple[list[int], str | None]],
    unmatched: dict[int, str],
    seconds: float,
) -> Result:
    """Build the result document (scores by the bench's independent pair weights)."""
    members = instance["members"]
    pw = features.PairWeights(instance)
    out_groups = []
    scores = pw.group_totals([rows for rows, _ in groups])
    for (rows, slot), score in zip(groups, scores, strict=True):
        tags = [set(t.lower() for t in members[r].get("interests") or []) for r in rows]
        shared = sorted({t for t in set().union(*tags) if sum(t in s for s in tags) >= 2})
        out_groups.append(
            {
                "members": [members[r]["id"] for r in rows],
                "slot": slot,
                "score": float(score),
                "why": shared[:3],
            }
        )
    return {
        "groups": out_groups,
        "unmatched": [{"id": members[i]["id"], "reason": r} for i, r in sorted(unmatched.items())],
        "objective": sum(g["score"] for g in out_groups),
        "placed": sum(len(g["members"]) for g in out_groups),
        "seconds": seconds,
    }


def random_grouping(instance: Instance, *, seed: int = 0) -> Result:
    """Random groups within slots and sizes (a Slack coffee bot)."""
    return run_baseline(random_groups, instance, seed=seed)


def greedy_grouping(instance: Instance, *, seed: int = 0) -> Result:
    """Greedy most-similar groups within slots and sizes."""
    return run_baseline(greedy_groups, instance, seed=seed)


def kmeans_grouping(instance: Instance, *, seed: int = 0, n_init: int = KMEANS_N_INIT) -> Result:
    """Size-constrained k-means groups within slots (k-means-constrained package).

    ``n_init`` restarts: the package's default of 10 keeps the best of ten runs; 1 is about
    ten times faster at a small cost in objective (the compare bench runs both).
    """
    return run_baseline(kmeans_groups, {**instance, "_bench_kmeans_n_init": n_init}, seed=seed)


BASELINES: dict[str, Callable[..., Result]] = {
    "random": random_grouping,
    "greedy": greedy_grouping,
    "kmeans": kmeans_grouping,
}
