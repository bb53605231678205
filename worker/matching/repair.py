"""Placement repair: the first objective, placing as many members as possible, by priority.

After construction (or after merging shards) some members may be unplaced and some groups
may be short of the minimum size. Repair fills short groups, inserts unplaced members
where there is room, lets a higher-priority member take a lower-priority member's place,
and opens new groups from leftovers who share a slot. Every step keeps the hard rules.
"""

from __future__ import annotations

import numpy as np

from worker.matching.state import Assignment


def repair(state: Assignment) -> None:
    """Improve placement (count by priority) as far as these simple steps allow."""
    fill_short_groups(state)
    for _ in range(3):
        before = _placed_priority(state)
        insert_unplaced(state)
        evict_for_priority(state)
        if state.instance.num_groups is None:
            open_new_groups(state)
            open_groups_with_donors(state)
        fill_short_groups(state)
        if _placed_priority(state) <= before:
            break


def _placed_priority(state: Assignment) -> float:
    return float(state.instance.priority[state.group_of >= 0].sum())


def open_for(state: Assignment, i: int) -> np.ndarray:
    """Mask of groups member i could join from outside (room, slot, seat, blocks)."""
    mask = (state.sizes < state.instance.max_size) & (state.sizes > 0) & state.allowed[i]
    mask &= state.seats_left[state.group_slot] >= 1
    if state.block_counts is not None:
        mask &= state.block_counts[i] == 0
    return mask


def _unplaced_by_priority(state: Assignment) -> np.ndarray:
    unplaced = np.flatnonzero(state.group_of < 0)
    return unplaced[np.argsort(-state.instance.priority[unplaced], kind="stable")]


def insert_unplaced(state: Assignment) -> None:
    """Put each unplaced member into the open group it likes most, if any."""
    for i in _unplaced_by_priority(state):
        scores = np.where(open_for(state, i), state.sums[i], -np.inf)
        for g in np.argsort(-scores, kind="stable"):
            if not np.isfinite(scores[g]):
                break
            if state.can_join(i, int(g)):
                state.move(int(i), int(g))
                break


def evict_for_priority(state: Assignment) -> None:
    """Let an unplaced member take the place of a strictly lower-priority one."""
    priority = state.instance.priority
    for i in _unplaced_by_priority(state):
        placed = np.flatnonzero((state.group_of >= 0) & (priority < priority[i]))
        placed = placed[state.allowed[i, state.group_of[placed]]]
        for v in placed[np.argsort(priority[placed], kind="stable")]:
            g = int(state.group_of[v])
            if state.can_join(int(i), g, leaving=int(v)):
                state.move(int(v), -1)
                state.move(int(i), g)
                break


def open_new_groups(state: Assignment) -> None:
    """Form groups from unplaced members who share a slot with seats left."""
    lo, hi = state.instance.min_size, state.instance.max_size
    for s in range(len(state.seats_left)):
        while True:
            pool = _unplaced_by_priority(state)
            pool = pool[state.instance.available[pool, s]]
            seats = state.seats_left[s]
            if len(pool) < lo or seats < lo:
                break
            chosen = _greedy_group(state, pool, int(min(hi, seats)))
            if len(chosen) < lo:
                break
            g = state.add_group(s)
            for i in chosen:
                state.move(int(i), g)


def open_groups_with_donors(state: Assignment) -> None:
    """Form a group from too few unplaced members plus members spared by larger groups."""
    lo = state.instance.min_size
    for s in range(len(state.seats_left)):
        pool = _unplaced_by_priority(state)
        pool = pool[state.instance.available[pool, s]][:lo]
        if not len(pool) or state.seats_left[s] < len(pool):
            continue
        chosen = [int(i) for i in pool]
        if state.blocks is not None and state.blocks[np.ix_(chosen, chosen)].any():
            continue
        spare = state.sizes.copy()
        while len(chosen) < lo:
            donor = _best_donor(state, chosen, s, spare)
            if donor is None:
                break
            chosen.append(donor)
            spare[state.group_of[donor]] -= 1
        fits = state.travel is None or state.travel.fits(np.array(chosen))
        if len(chosen) >= lo and fits:
            g = state.add_group(s)
            for i in chosen:
                state.move(i, g)


def _best_donor(state: Assignment, chosen: list[int], slot: int, spare: np.ndarray) -> int | None:
    lo = state.instance.min_size
    candidates = np.flatnonzero(state.group_of >= 0)
    candidates = candidates[state.instance.available[candidates, slot]]
    candidates = candidates[spare[state.group_of[candidates]] > lo]
    candidates = candidates[~np.isin(candidates, chosen)]
    seat_free = state.seats_left[slot] - len(chosen) >= 1
    if not seat_free:
        candidates = candidates[state.group_slot[state.group_of[candidates]] == slot]
    if state.blocks is not None:
        candidates = candidates[state.blocks[np.ix_(candidates, chosen)].sum(axis=1) == 0]
    affinity = state.weights[np.ix_(candidates, chosen)].sum(axis=1)
    for k in np.argsort(-affinity, kind="stable"):
        i = int(candidates[k])
        fits = state.travel is None or state.travel.fits(np.append(chosen, i))
        if fits and state.travel_ok_without(int(state.group_of[i]), i):
            return i
    return None


def _greedy_group(state: Assignment, pool: np.ndarray, size: int) -> list[int]:
    chosen = [int(pool[0])]
    affinity = state.weights[pool, chosen[0]].copy()
    ok = np.ones(len(pool), dtype=bool)
    ok[0] = False
    while len(chosen) < size:
        if state.blocks is not None:
            ok &= state.blocks[pool, chosen[-1]] == 0
        candidates = np.flatnonzero(ok)
        best = next(
            (
                k
                for k in candidates[np.argsort(-affinity[candidates], kind="stable")]
                if state.travel is None or state.travel.fits(np.append(chosen, pool[k]))
            ),
            None,
        )
        if best is None:
            break
        chosen.append(int(pool[best]))
        ok[best] = False
        affinity += state.weights[pool, pool[best]]
    return chosen


def fill_short_groups(state: Assignment) -> None:
    """Top up groups below the minimum size; dissolve those that cannot be completed."""
    lo = state.instance.min_size
    for short in np.flatnonzero((state.sizes > 0) & (state.sizes < lo)):
        g = int(short)
        while state.sizes[g] < lo and _pull_into(state, g):
            pass
        if state.sizes[g] < lo:
            for i in state.members(g):
                state.move(int(i), -1)


def _pull_into(state: Assignment, g: int) -> bool:
    """Bring one member into group g: an unplaced one first, else one from a larger group."""
    slot_seat = state.seats_left[state.group_slot[g]] >= 1
    for i in _unplaced_by_priority(state):
        if slot_seat and state.can_join(int(i), g):
            state.move(int(i), g)
            return True
    donors = np.flatnonzero(state.group_of >= 0)
    donors = donors[(state.sizes[state.group_of[donors]] > state.instance.min_size)]
    donors = donors[state.group_of[donors] != g]
    same_slot = state.group_slot[state.group_of[donors]] == state.group_slot[g]
    donors = donors[same_slot | slot_seat]
    for i in donors[np.argsort(-state.sums[donors, g], kind="stable")]:
        if state.can_join(int(i), g) and state.travel_ok_without(int(state.group_of[i]), int(i)):
            state.move(int(i), g)
            return True
    return False
