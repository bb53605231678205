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

from worker.matching.features import top_k_columns
from worker.matching.state import Assignment

CANDIDATE_GROUPS = 12
LIKED_REFRESH = 4
EPSILON = 1e-9


def batch_descend(state: Assignment, max_rounds: int, deadline: float) -> int:
    """Rounds of disjoint improving moves and swaps until none is left; returns changes.

    A member's best candidate only changes when its own group or one of its liked groups
    changed, when its liked groups are refreshed to a different set, or when seats moved
    between slots, so after the first round only those members are scored again; the
    result is the same as rescoring everyone, at a fraction of the cost once few changes
    remain.
    """
    made = 0
    n = state.instance.n
    if state.num_groups < 2 or n < 2:
        return made
    gains = np.full(n, -np.inf)
    partners = np.full(n, -1, dtype=np.int64)
    targets = np.zeros(n, dtype=np.int64)
    liked = np.zeros((n, 0), dtype=np.int64)
    dirty = np.ones(n, dtype=bool)
    for round_ in range(max_rounds):
        own_group = np.where(state.group_of >= 0, state.group_of, 0)
        if round_ % LIKED_REFRESH == 0:
            fresh = liked_groups(state, own_group)
            if round_:  # rescore only members whose candidate groups changed, as a set
                dirty |= (np.sort(fresh, axis=1) != np.sort(liked, axis=1)).any(axis=1)
            liked = fresh
        rows = np.flatnonzero(dirty)
        gains[rows], partners[rows], targets[rows] = _best_for(state, liked, rows, own_group)
        touched, crossed = _apply_disjoint(state, gains, partners, targets)
        applied = int(touched.sum()) // 2
        made += applied
        if not applied or time.monotonic() > deadline:
            break
        own_group = np.where(state.group_of >= 0, state.group_of, 0)
        dirty = np.ones(n, dtype=bool) if crossed else touched[own_group] | touched[liked].any(1)
    return made


def _best_for(
    state: Assignment, liked: np.ndarray, members: np.ndarray, own_group: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the given members: best gain, swap partner (-1 for a move) and target group.

    `liked` (each member's candidate groups) changes slowly, so it is reused for a few
    rounds instead of being recomputed (the costliest step). Everything that depends on
    the target group only is looked up once per liked group, then repeated for its seats.
    """
    group_of, sums = state.group_of, state.sums
    own_all = sums[np.arange(state.instance.n), own_group]
    placed = group_of[members] >= 0
    mine = own_group[members]
    liked = liked[members]
    rows = members[:, None]
    own = own_all[members]
    seats = state.instance.max_size
    partners = state.roster[liked].reshape(len(members), -1)
    valid = partners >= 0
    safe = np.where(valid, partners, 0)
    their_group = np.repeat(liked, seats, axis=1)  # a roster row's members are in its group
    into = sums[rows, liked] - own[:, None]  # gain of entering each liked group
    swap = np.repeat(into, seats, axis=1)
    swap += sums[safe, mine[:, None]]
    swap -= own_all[safe]
    swap -= 2 * state.weights[rows, safe]
    target_ok = (liked != mine[:, None]) & placed[:, None]
    if not state.everyone_allowed:
        target_ok &= state.allowed[rows, liked]
    ok = valid & np.repeat(target_ok, seats, axis=1)
    if not state.everyone_allowed:
        ok &= state.allowed[safe, mine[:, None]]
    if state.block_counts is not None and state.blocks is not None:
        ok &= _swaps_unblocked(state, members, safe, their_group, mine)
    swap = np.where(ok, swap, -np.inf)
    index = np.arange(len(members))
    best_k = np.argmax(swap, axis=1) if swap.shape[1] else np.zeros(len(members), np.int64)
    if swap.shape[1]:
        best_gain = swap[index, best_k]
        best_partner = partners[index, best_k]
        best_target = their_group[index, best_k]
    else:
        best_gain = np.full(len(members), -np.inf)
        best_partner = np.full(len(members), -1, dtype=np.int64)
        best_target = mine.copy()
    move_gain, move_target = _best_moves(state, liked, into, target_ok, mine, members)
    use_move = move_gain > best_gain
    best_gain = np.where(use_move, move_gain, best_gain)
    best_partner = np.where(use_move, -1, best_partner)
    best_target = np.where(use_move, move_target, best_target)
    return best_gain, best_partner, best_target


def _swaps_unblocked(
    state: Assignment,
    members: np.ndarray,
    partners: np.ndarray,
    their_group: np.ndarray,
    mine: np.ndarray,
) -> np.ndarray:
    """Mask of swaps (member row, partner column) that put no blocked pair together.

    Blocks are rare, so only entries where the member or the partner has a block at all
    are looked up; all others are fine.
    """
    assert state.blocks is not None and state.block_counts is not None
    ok = np.ones(partners.shape, dtype=bool)
    has_block = state.has_block
    check = has_block[members][:, None] | has_block[partners]
    r, c = np.nonzero(check)
    if not len(r):
        return ok
    i, j = members[r], partners[r, c]
    b = state.blocks[i, j]
    clear = (state.block_counts[i, their_group[r, c]] - b == 0) & (
        state.block_counts[j, mine[r]] - b == 0
    )
    ok[r, c] = clear
    return ok


def liked_groups(
    state: Assignment, own_group: np.ndarray, count: int = CANDIDATE_GROUPS
) -> np.ndarray:
    """Each member's `count` other groups with the highest weight sums."""
    if state.everyone_allowed:
        score = np.array(state.sums, order="C")  # rows contiguous for the top-k scan
    else:
        score = np.where(state.allowed, state.sums, -np.inf).copy(order="C")
    score[np.arange(state.instance.n), own_group] = -np.inf
    return top_k_columns(score, min(count, state.num_groups))


def _best_moves(
    state: Assignment,
    liked: np.ndarray,
    into: np.ndarray,
    target_ok: np.ndarray,
    own_group: np.ndarray,
    members: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Best move of each given member into one of its liked groups (sizes, slot, seats, blocks).

    Rows are for `members`: `into` is the gain of entering each liked group, `target_ok`
    whether the member is placed and may enter it (slot availability, not its own group).
    """
    lo, hi = state.instance.min_size, state.instance.max_size
    count = len(members)
    if lo == hi or not liked.shape[1]:
        return np.full(count, -np.inf), np.zeros(count, dtype=np.int64)
    sizes = state.sizes[liked]
    ok = target_ok & (sizes < hi) & (sizes > 0)
    ok &= (state.sizes[own_group] > lo)[:, None]
    slot = state.group_slot[liked]
    ok &= (slot == state.group_slot[own_group][:, None]) | (state.seats_left[slot] >= 1)
    if state.block_counts is not None:
        blocked = np.flatnonzero(state.has_block[members])
        if len(blocked):
            ok[blocked] &= state.block_counts[members[blocked, None], liked[blocked]] == 0
    moves = np.where(ok, into, -np.inf)
    best = np.argmax(moves, axis=1)
    index = np.arange(count)
    return moves[index, best], liked[index, best]


def _apply_disjoint(
    state: Assignment, gains: np.ndarray, partners: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, bool]:
    """Apply improving candidates, best first, touching each group at most once.

    Returns the groups changed and whether a move changed slot (seats then moved).
    """
    touched = np.zeros(state.num_groups, dtype=bool)
    crossed = False
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
            same_slot = state.group_slot[g] == state.group_slot[h]
            seat_ok = same_slot or state.seats_left[state.group_slot[h]] >= 1
            if not seat_ok or not (
                state.can_join(int(i), h) and state.travel_ok_without(g, int(i))
            ):
                continue
            state.move(int(i), h)
            crossed |= not same_slot
        touched[g] = touched[h] = True
    return touched, crossed


def _swap_travel_ok(state: Assignment, i: int, j: int) -> bool:
    g, h = int(state.group_of[i]), int(state.group_of[j])
    members_g, members_h = state.members(g), state.members(h)
    assert state.travel is not None
    return state.travel.fits(np.append(members_g[members_g != i], j)) and state.travel.fits(
        np.append(members_h[members_h != j], i)
    )
