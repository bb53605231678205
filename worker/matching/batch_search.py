"""Descent for large instances: score every member's best move or swap at once, apply many.

Each round computes, for all members together, the gain of moving to every group and of
swapping with the members of the few groups they like most (numpy over n x candidates),
then applies the best improving candidates whose groups are pairwise disjoint. A move or
swap only changes the weight sums of its two groups, so the gains of the others stay
exact and one round can apply up to G/2 changes. This is what keeps 100,000 members fast.
"""

from __future__ import annotations

import time

import numpy as np

from worker.matching.state import Assignment

CANDIDATE_GROUPS = 8
LIKED_REFRESH = 4
EPSILON = 1e-9


def batch_descend(state: Assignment, max_rounds: int, deadline: float) -> int:
    """Rounds of disjoint improving moves and swaps until none is left; returns changes."""
    made = 0
    liked = None
    if state.num_groups < 2 or state.instance.n < 2:
        return made
    for round_ in range(max_rounds):
        if round_ % LIKED_REFRESH == 0:
            liked = None
        gains, partners, targets, liked = _best_per_member(state, liked)
        applied = _apply_disjoint(state, gains, partners, targets)
        made += applied
        if not applied or time.monotonic() > deadline:
            break
    return made


def _best_per_member(
    state: Assignment, liked: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per member: best gain, swap partner (-1 for a move), target group; and liked groups.

    `liked` (each member's candidate groups) changes slowly, so it is reused for a few
    rounds instead of being recomputed (the costliest step).
    """
    n = state.instance.n
    group_of, sums = state.group_of, state.sums
    placed = group_of >= 0
    own_group = np.where(placed, group_of, 0)
    rows = np.arange(n)[:, None]
    own = sums[rows[:, 0], own_group]
    if liked is None:
        liked = _liked_groups(state, own_group)
    partners = state.roster[liked].reshape(n, -1)
    valid = partners >= 0
    safe = np.where(valid, partners, 0)
    their_group = np.where(valid, group_of[safe], own_group[:, None])
    swap = (
        sums[rows, their_group]
        - own[:, None]
        + sums[safe, own_group[:, None]]
        - own[safe]
        - 2 * state.weights[rows, safe]
    )
    ok = valid & (their_group != own_group[:, None]) & placed[:, None]
    ok &= state.allowed[rows, their_group] & state.allowed[safe, own_group[:, None]]
    if state.block_counts is not None and state.blocks is not None:
        b = state.blocks[rows, safe]
        ok &= state.block_counts[rows, their_group] - b == 0
        ok &= state.block_counts[safe, own_group[:, None]] - b == 0
    swap = np.where(ok, swap, -np.inf)
    best_k = np.argmax(swap, axis=1)
    best_gain = swap[rows[:, 0], best_k]
    best_partner = partners[rows[:, 0], best_k]
    best_target = their_group[rows[:, 0], best_k]
    move_gain, move_target = _best_moves(state, liked, own, own_group, placed)
    use_move = move_gain > best_gain
    best_gain = np.where(use_move, move_gain, best_gain)
    best_partner = np.where(use_move, -1, best_partner)
    best_target = np.where(use_move, move_target, best_target)
    return best_gain, best_partner, best_target, liked


def _liked_groups(state: Assignment, own_group: np.ndarray) -> np.ndarray:
    """Each member's CANDIDATE_GROUPS other groups with the highest weight sums."""
    score = np.where(state.allowed, state.sums, -np.inf)
    score[np.arange(state.instance.n), own_group] = -np.inf
    count = min(CANDIDATE_GROUPS, state.num_groups)
    return np.argpartition(-score, count - 1, axis=1)[:, :count]


def _best_moves(
    state: Assignment,
    liked: np.ndarray,
    own: np.ndarray,
    own_group: np.ndarray,
    placed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Best move of each member into one of its liked groups (sizes, slot, seats, blocks)."""
    lo, hi = state.instance.min_size, state.instance.max_size
    n = state.instance.n
    if lo == hi:
        return np.full(n, -np.inf), np.zeros(n, dtype=np.int64)
    rows = np.arange(n)[:, None]
    sizes = state.sizes[liked]
    ok = state.allowed[rows, liked] & (sizes < hi) & (sizes > 0) & (liked != own_group[:, None])
    ok &= (placed & (state.sizes[own_group] > lo))[:, None]
    slot = state.group_slot[liked]
    ok &= (slot == state.group_slot[own_group][:, None]) | (state.seats_left[slot] >= 1)
    if state.block_counts is not None:
        ok &= state.block_counts[rows, liked] == 0
    moves = np.where(ok, state.sums[rows, liked] - own[:, None], -np.inf)
    best = np.argmax(moves, axis=1)
    return moves[rows[:, 0], best], liked[rows[:, 0], best]


def _apply_disjoint(
    state: Assignment, gains: np.ndarray, partners: np.ndarray, targets: np.ndarray
) -> int:
    """Apply improving candidates, best first, touching each group at most once."""
    touched = np.zeros(state.num_groups, dtype=bool)
    applied = 0
    improving = np.flatnonzero(gains > EPSILON)
    for i in improving[np.argsort(-gains[improving], kind="stable")]:
        g, h, j = int(state.group_of[i]), int(targets[i]), int(partners[i])
        if touched[g] or touched[h]:
            continue
        if j >= 0:
            if state.travel is not None and not _swap_travel_ok(state, int(i), j):
                continue
            state.swap(int(i), j)
        else:
            seat_ok = (
                state.group_slot[g] == state.group_slot[h]
                or state.seats_left[state.group_slot[h]] >= 1
            )
            if not seat_ok or not (
                state.can_join(int(i), h) and state.travel_ok_without(g, int(i))
            ):
                continue
            state.move(int(i), h)
        touched[g] = touched[h] = True
        applied += 1
    return applied


def _swap_travel_ok(state: Assignment, i: int, j: int) -> bool:
    g, h = int(state.group_of[i]), int(state.group_of[j])
    members_g, members_h = state.members(g), state.members(h)
    assert state.travel is not None
    return state.travel.fits(np.append(members_g[members_g != i], j)) and state.travel.fits(
        np.append(members_h[members_h != j], i)
    )
