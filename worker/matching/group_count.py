"""Changing how many groups there are: dissolve one group into the others, or open one.

Moves, swaps and tabu search keep the number of groups they start with, so the size mixes
they can reach are those of that count. The best count is not always the one construction
picks: 20 members in groups of 3-4 can do better as five groups of 4 than as six (four of
3), and 24 in groups of 3-6 can do better as 3+3+6+6+6 than as four groups of 6 when some
pairs are negative. `dissolve_one` and `open_one` change the count by one while keeping
every hard rule and exactly who is placed, so the search can compare counts.
"""

from __future__ import annotations

import numpy as np

from worker.matching.state import Assignment

DISSOLVE_TRIES = 6  # groups tried for dissolving (the least cohesive first)


def total_weight(state: Assignment) -> float:
    """The assignment's objective (sum of pair weights inside groups)."""
    placed = np.flatnonzero(state.group_of >= 0)
    return float(state.sums[placed, state.group_of[placed]].sum() / 2)


def dissolve_one(state: Assignment) -> Assignment | None:
    """A copy with one group fewer (its members spread into groups with room), or None.

    Tries the least cohesive groups and keeps the best result; None if no group's members
    can all be placed elsewhere.
    """
    used = np.flatnonzero(state.sizes > 0)
    if len(used) < 2:
        return None
    room = int((state.instance.max_size - state.sizes[used]).sum())
    cohesion = np.array([_group_weight(state, int(g)) / state.sizes[g] for g in used])
    best, best_value = None, -np.inf
    for g in used[np.argsort(cohesion, kind="stable")][:DISSOLVE_TRIES]:
        if room - (state.instance.max_size - state.sizes[g]) < state.sizes[g]:
            continue
        candidate = _spread(state, int(g))
        if candidate is not None and total_weight(candidate) > best_value:
            best, best_value = candidate, total_weight(candidate)
    return best


def open_one(state: Assignment) -> Assignment | None:
    """A copy with one more group of `min_size` members taken from larger groups, or None.

    For each slot the new group starts from the member least attached to its group and
    grows by the member with the best affinity to it net of what that member leaves.
    """
    lo = state.instance.min_size
    spare = np.maximum(state.sizes - lo, 0)
    if spare.sum() < lo:
        return None
    best, best_value = None, -np.inf
    for slot in range(len(state.seats_left)):
        chosen = _new_group_members(state, slot, spare.copy())
        if chosen is None:
            continue
        candidate = state.copy()
        g = candidate.add_group(slot)
        for i in chosen:
            candidate.move(i, g)
        if total_weight(candidate) > best_value:
            best, best_value = candidate, total_weight(candidate)
    return best


def _group_weight(state: Assignment, g: int) -> float:
    members = state.members(g)
    return float(state.sums[members, g].sum() / 2)


def _spread(state: Assignment, g: int) -> Assignment | None:
    """Copy of `state` with group g emptied into the others (best affinity first)."""
    candidate = state.copy()
    members = candidate.members(g)
    for i in members:
        candidate.move(int(i), -1)
    hi = candidate.instance.max_size
    options = [
        (candidate.sizes < hi) & (candidate.sizes > 0) & candidate.allowed[i] for i in members
    ]
    for k in np.argsort([int(o.sum()) for o in options], kind="stable"):  # fewest options first
        i = int(members[k])
        mask = (candidate.sizes < hi) & (candidate.sizes > 0) & candidate.allowed[i]
        mask &= candidate.seats_left[candidate.group_slot] >= 1
        if candidate.block_counts is not None:
            mask &= candidate.block_counts[i] == 0
        scores = np.where(mask, candidate.sums[i], -np.inf)
        for h in np.argsort(-scores, kind="stable"):
            if not np.isfinite(scores[h]):
                return None
            if candidate.can_join(i, int(h)):
                candidate.move(i, int(h))
                break
        else:
            return None
    return candidate


def _new_group_members(state: Assignment, slot: int, spare: np.ndarray) -> list[int] | None:
    """`min_size` members for a new group in `slot`, each from a group that can spare one."""
    lo = state.instance.min_size
    group_of = state.group_of
    pool = np.flatnonzero((group_of >= 0) & state.instance.available[:, slot])
    if len(pool) < lo:
        return None
    own = state.sums[pool, group_of[pool]]
    seats = state.seats_left[slot]
    chosen: list[int] = []
    affinity = np.zeros(len(pool))
    free = np.ones(len(pool), dtype=bool)
    while len(chosen) < lo:
        ok = free & (spare[group_of[pool]] > 0)
        other_slot = state.group_slot[group_of[pool]] != slot
        ok &= ~other_slot | (seats >= 1)
        if state.blocks is not None and chosen:
            ok &= state.blocks[np.ix_(pool, chosen)].sum(axis=1) == 0
        if not ok.any():
            return None
        scores = np.where(ok, affinity - own, -np.inf)
        k = int(np.argmax(scores))
        i = int(pool[k])
        if state.travel is not None and not (
            state.travel.fits(np.array([*chosen, i]))
            and state.travel_ok_without(int(group_of[i]), i)
        ):
            free[k] = False
            continue
        chosen.append(i)
        free[k] = False
        spare[group_of[i]] -= 1
        seats -= float(other_slot[k])
        affinity += state.weights[pool, i]
    return chosen
