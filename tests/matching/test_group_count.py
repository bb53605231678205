"""The search varies the number of groups (and so the size mix), keeping every rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.matching.test_optimum import _brute_force
from worker.matching import check_result, parse_instance, solve
from worker.matching.group_count import dissolve_one, open_one, total_weight
from worker.matching.state import Assignment


def _planted(n: int, clique: int, lo: int, hi: int, across: float) -> dict:
    """Explicit weights: +1 inside planted cliques of `clique`, `across` between them."""
    weights = [
        [i, j, 1.0 if i // clique == j // clique else across]
        for i in range(n)
        for j in range(i + 1, n)
    ]
    members = [{"id": f"m{i}"} for i in range(n)]
    return {"group_size": {"min": lo, "max": hi}, "members": members, "weights": weights}


def _assignment(instance: dict, groups: list[list[int]]) -> Assignment:
    parsed = parse_instance(instance)
    state = Assignment(parsed, [0] * len(groups))
    for g, members in enumerate(groups):
        for i in members:
            state.move(i, g)
    return state


def _check_rules(state: Assignment, placed_before: set[int]) -> None:
    lo, hi = state.instance.min_size, state.instance.max_size
    used = state.sizes[state.sizes > 0]
    assert ((used >= lo) & (used <= hi)).all()
    assert set(np.flatnonzero(state.group_of >= 0).tolist()) == placed_before
    weights = state.weights
    recomputed = sum(
        weights[np.ix_(state.members(g), state.members(g))].sum() / 2
        for g in range(state.num_groups)
    )
    assert math.isclose(total_weight(state), recomputed, abs_tol=1e-9)
    if state.blocks is not None:
        for g in range(state.num_groups):
            members = state.members(g)
            assert not state.blocks[np.ix_(members, members)].any()


def test_more_groups_than_the_fewest_when_pairs_across_cliques_are_negative() -> None:
    """9 members in groups of 3-6: construction starts with 2 groups, the optimum has 3."""
    instance = _planted(9, 3, 3, 6, across=-1.0)
    result = solve(instance, seed=0)
    assert check_result(instance, result) == []
    assert len(result["groups"]) == 3
    assert math.isclose(result["objective"], _brute_force(instance), abs_tol=1e-6)
    assert result["objective"] == pytest.approx(9.0)


def test_dissolve_one_spreads_a_group_and_keeps_the_rules() -> None:
    """20 members in six groups of 3-4 become five groups, everyone still placed."""
    instance = _planted(20, 4, 3, 4, across=0.1)
    instance["blocks"] = [["m0", "m19"]]
    groups = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11], [12, 13, 14, 15], [16, 17, 18, 19]]
    state = _assignment(instance, groups)
    fewer = dissolve_one(state)
    assert fewer is not None
    assert int((fewer.sizes > 0).sum()) == 5
    _check_rules(fewer, set(range(20)))
    assert int((state.sizes > 0).sum()) == 6  # the original is untouched


def test_dissolve_one_returns_none_without_room() -> None:
    instance = _planted(8, 4, 4, 4, across=0.0)
    assert dissolve_one(_assignment(instance, [[0, 1, 2, 3], [4, 5, 6, 7]])) is None


def test_open_one_takes_members_from_larger_groups() -> None:
    """24 members in four groups of 6 (range 3-6) become five groups."""
    instance = _planted(24, 6, 3, 6, across=0.2)
    instance["blocks"] = [["m0", "m6"], ["m0", "m12"]]
    state = _assignment(instance, [list(range(k, k + 6)) for k in range(0, 24, 6)])
    more = open_one(state)
    assert more is not None
    assert int((more.sizes > 0).sum()) == 5
    _check_rules(more, set(range(24)))


def test_open_one_returns_none_when_no_group_can_spare_members() -> None:
    instance = _planted(9, 3, 3, 6, across=0.0)
    assert open_one(_assignment(instance, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])) is None
