"""The batched descent's fast paths agree with plain computations.

`top_k_columns` (the neighbour and liked-group ranking) against sorting, and `_best_for`
(every member's best move or swap into its liked groups, with block checks only where
blocks exist) against a member-by-member loop over the same candidates and rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.matching.matching_instances import blocked_instance
from worker.matching import parse_instance
from worker.matching.batch_search import _best_for, batch_descend, liked_groups
from worker.matching.construct import build
from worker.matching.features import top_k_columns
from worker.matching.repair import repair
from worker.matching.state import Assignment


def _top_values(block: np.ndarray, k: int) -> np.ndarray:
    return np.sort(block, axis=1)[:, -k:]


@pytest.mark.parametrize("seed", range(12))
def test_top_k_columns_finds_the_k_largest_of_every_row(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(1, 40)), int(rng.integers(1, 900))
    k = int(rng.integers(1, min(cols, 12) + 1))
    block = rng.random((rows, cols))
    if seed % 3 == 0:
        block = np.round(block * 4) / 4  # many ties
    if seed % 4 == 1:
        block[rng.random(block.shape) < 0.6] = -np.inf
    if seed % 5 == 2:
        block[0] = 0.0  # a row of equal values
    top = top_k_columns(block, k)
    assert top.shape == (rows, k)
    assert all(len(set(row)) == k for row in top.tolist())
    assert np.array_equal(
        np.sort(np.take_along_axis(block, top, axis=1), axis=1), _top_values(block, k)
    )


def _plain_best(state: Assignment, liked: np.ndarray, i: int) -> float:
    """Best gain of member i over moves and swaps into its liked groups, one by one."""
    lo, hi = state.instance.min_size, state.instance.max_size
    g = int(state.group_of[i])
    if g < 0:
        return -np.inf
    a, w = state.sums, state.weights
    assert state.blocks is not None and state.block_counts is not None
    best = -np.inf
    for h in liked[i]:
        if h == g or not state.allowed[i, h]:
            continue
        slot = state.group_slot[h]
        seat = slot == state.group_slot[g] or state.seats_left[slot] >= 1
        room = lo < state.sizes[g] and 0 < state.sizes[h] < hi
        if room and seat and state.block_counts[i, h] == 0:
            best = max(best, a[i, h] - a[i, g])
        for j in state.members(h):
            b = state.blocks[i, j]
            if not state.allowed[j, g]:
                continue
            if state.block_counts[i, h] - b or state.block_counts[j, g] - b:
                continue
            best = max(best, a[i, h] - a[i, g] + a[j, g] - a[j, h] - 2 * w[i, j])
    return best


@pytest.mark.parametrize(("slots", "seed"), [(1, 0), (2, 1), (3, 2)])
def test_best_for_matches_a_member_by_member_search(slots: int, seed: int) -> None:
    parsed = parse_instance(blocked_instance(150, slots, seed))
    state = build(parsed, np.random.default_rng(seed))
    repair(state)
    assert state.num_groups > 12  # liked groups are a real subset
    assert state.has_block.any()
    own = np.where(state.group_of >= 0, state.group_of, 0)
    liked = liked_groups(state, own)
    members = np.arange(parsed.n)
    gains, partners, targets = _best_for(state, liked, members, own)
    plain = np.array([_plain_best(state, liked, i) for i in members])
    assert np.allclose(gains, plain, rtol=0, atol=1e-9)
    for i in np.flatnonzero(np.isfinite(gains) & (partners >= 0)):
        assert state.group_of[partners[i]] == targets[i]


def test_batch_descent_only_improves_and_keeps_rules() -> None:
    parsed = parse_instance(blocked_instance(300, 3, 4))
    state = build(parsed, np.random.default_rng(4))
    repair(state)

    def total(s: Assignment) -> float:
        placed = np.flatnonzero(s.group_of >= 0)
        return float(s.sums[placed, s.group_of[placed]].sum() / 2)

    before, placed = total(state), state.placed
    assert batch_descend(state, 400, np.inf) > 0
    assert total(state) > before and state.placed == placed
    assert state.block_counts is not None
    for i in np.flatnonzero(state.group_of >= 0):
        g = state.group_of[i]
        assert state.allowed[i, g] and state.block_counts[i, g] == 0
    assert ((state.sizes == 0) | ((state.sizes >= 3) & (state.sizes <= 6))).all()
