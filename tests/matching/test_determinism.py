"""Same input and seed give the same output in the deterministic (no time limit) mode."""

from __future__ import annotations

import copy

from tests.matching.matching_instances import small_instance
from worker.matching import solve


def _without_timing(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "seconds"}


def test_same_seed_same_result() -> None:
    instance = small_instance(30, blocks=[["m1", "m2"], ["m3", "m4"]])
    first = solve(copy.deepcopy(instance), seed=7)
    second = solve(copy.deepcopy(instance), seed=7)
    assert _without_timing(first) == _without_timing(second)


def test_same_seed_same_result_with_vectors_and_weights() -> None:
    members = [{"id": f"m{i}"} for i in range(16)]
    weights = [[i, j, float((i * 7 + j * 3) % 11)] for i in range(16) for j in range(i + 1, 16)]
    instance = {
        "group_size": {"min": 4, "max": 4},
        "num_groups": 4,
        "members": members,
        "weights": weights,
    }
    assert _without_timing(solve(instance, seed=3)) == _without_timing(solve(instance, seed=3))


def test_input_is_not_modified() -> None:
    instance = small_instance(12)
    before = copy.deepcopy(instance)
    solve(instance, seed=1)
    assert instance == before
