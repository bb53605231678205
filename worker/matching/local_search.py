"""Steepest descent per member over moves and swaps, keeping every hard rule.

For member i in group g, moving to h gains A[i, h] - A[i, g]; swapping with j in h gains
A[i, h] - A[i, g] + A[j, g] - A[j, h] - 2 W[i, j]. All candidates of one member are scored
at once with numpy; with many groups, swap partners come from the few groups i likes most.
A placed member may also trade places with an unplaced one of equal priority.
"""

from __future__ import annotations

import time

import numpy as np

from worker.matching.state import Assignment

CANDIDATE_GROUPS = 12
EPSILON = 1e-9


def descend(state: Assignment, rng: np.random.Generator, max_passes: int, deadline: float) -> int:
    """Improve until no member has an improving move or swap; returns moves made."""
    made = 0
    for _ in range(max_passes):
        improved = 0
        for i in rng.permutation(np.flatnonzero(state.group_of >= 0)):
            if state.group_of[i] >= 0 and improve_member(state, int(i)):
                improved += 1
        made += improved
        if not improved or time.monotonic() > deadline:
            break
    return made


def improve_member(state: Assignment, i: int) -> bool:
    """Apply the best improving move or swap for member i, if any; True if applied."""
    candidates = _move_candidates(state, i) + _swap_candidates(state, i)
    candidates.sort(key=lambda c: -c[0])
    for gain, kind, target in candidates:
        if gain <= EPSILON:
            return False
        if kind == "move" and _travel_ok_move(state, i, target):
            state.move(i, target)
            return True
        if kind == "swap" and _travel_ok_swap(state, i, target):
            if state.group_of[target] >= 0:
                state.swap(i, target)
            else:
                g = int(state.group_of[i])
                state.move(i, -1)
                state.move(target, g)
            return True
    return False


def _move_candidates(state: Assignment, i: int) -> list[tuple[float, str, int]]:
    g = int(state.group_of[i])
    lo, hi = state.instance.min_size, state.instance.max_size
    if state.sizes[g] <= lo or lo == hi:
        return []
    mask = (state.sizes < hi) & (state.sizes > 0) & state.allowed[i]
    mask &= (state.group_slot == state.group_slot[g]) | (state.seats_left[state.group_slot] >= 1)
    if state.block_counts is not None:
        mask &= state.block_counts[i] == 0
    mask[g] = False
    gains = np.where(mask, state.sums[i] - state.sums[i, g], -np.inf)
    best = np.argsort(-gains)[:3]
    return [(float(gains[h]), "move", int(h)) for h in best if gains[h] > EPSILON]


def _swap_candidates(state: Assignment, i: int) -> list[tuple[float, str, int]]:
    g = int(state.group_of[i])
    sums, group_of = state.sums, state.group_of
    if state.num_groups > CANDIDATE_GROUPS:
        liked = np.argpartition(-sums[i], CANDIDATE_GROUPS)[:CANDIDATE_GROUPS]
        partners = state.roster[liked].ravel()
        partners = np.concatenate([partners[partners >= 0], state.unplaced_equal(i)])
    else:
        partners = np.arange(state.instance.n)
    h = group_of[partners]
    placed = h >= 0
    h_safe = np.where(placed, h, g)
    own = sums[i, g]
    w_ij = state.weights[i, partners]
    gains = np.where(
        placed,
        sums[i, h_safe] - own + sums[partners, g] - sums[partners, h_safe] - 2 * w_ij,
        sums[partners, g] - w_ij - own,
    )
    priority = state.instance.priority
    ok = (h != g) & state.allowed[partners, g]
    ok &= np.where(placed, state.allowed[i, h_safe], priority[partners] == priority[i])
    if state.block_counts is not None and state.blocks is not None:
        b_ij = state.blocks[i, partners]
        ok &= state.block_counts[partners, g] - b_ij == 0
        ok &= ~placed | (state.block_counts[i, h_safe] - b_ij == 0)
    gains = np.where(ok, gains, -np.inf)
    best = np.argsort(-gains)[:3]
    return [(float(gains[k]), "swap", int(partners[k])) for k in best if gains[k] > EPSILON]


def _travel_ok_move(state: Assignment, i: int, h: int) -> bool:
    if state.travel is None:
        return True
    return state.travel_ok_without(int(state.group_of[i]), i) and state.can_join(i, h)


def _travel_ok_swap(state: Assignment, i: int, j: int) -> bool:
    if state.travel is None:
        return True
    g, h = int(state.group_of[i]), int(state.group_of[j])
    members_g = state.members(g)
    if not state.travel.fits(np.append(members_g[members_g != i], j)):
        return False
    if h < 0:
        return True
    members_h = state.members(h)
    return state.travel.fits(np.append(members_h[members_h != j], i))
