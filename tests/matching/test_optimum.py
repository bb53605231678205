"""On instances small enough to enumerate, the engine reaches the true optimum."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from worker.matching import check_result, objective, parse_instance, solve
from worker.matching.features import dense_pair_weights


def _partitions(items: list[int], lo: int, hi: int):
    """Every split of all items into groups with sizes in [lo, hi]."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for size in range(lo, hi + 1):
        for others in itertools.combinations(rest, size - 1):
            remaining = [i for i in rest if i not in others]
            for tail in _partitions(remaining, lo, hi):
                yield [[first, *others], *tail]


def _instance(seed: int, n: int, lo: int, hi: int) -> dict:
    rng = np.random.default_rng(seed)
    members = [{"id": f"m{i}", "vector": rng.normal(size=4).round(3).tolist()} for i in range(n)]
    pairs = [
        {"a": f"m{a}", "b": f"m{b}", "bond": float(rng.choice([1.0, -0.5]))}
        for a, b in rng.choice(n, size=(3, 2), replace=False)
    ]
    return {"group_size": {"min": lo, "max": hi}, "members": members, "pairs": pairs}


def _brute_force(instance: dict) -> float:
    n = len(instance["members"])
    lo, hi = instance["group_size"]["min"], instance["group_size"]["max"]
    weights = dense_pair_weights(parse_instance(instance))
    best_split = max(
        _partitions(list(range(n)), lo, hi),
        key=lambda split: sum(weights[np.ix_(g, g)].sum() / 2 for g in split),
    )
    ids = [m["id"] for m in instance["members"]]
    return objective(instance, [[ids[i] for i in group] for group in best_split])


@pytest.mark.parametrize(
    ("seed", "n", "lo", "hi"),
    [(1, 9, 3, 3), (2, 9, 3, 3), (3, 8, 2, 3), (4, 10, 3, 4), (5, 9, 2, 4)],
)
def test_reaches_the_brute_force_optimum(seed: int, n: int, lo: int, hi: int) -> None:
    instance = _instance(seed, n, lo, hi)
    result = solve(instance, seed=seed)
    assert check_result(instance, result) == []
    assert result["placed"] == n
    assert math.isclose(result["objective"], _brute_force(instance), abs_tol=1e-5)


def test_mdgp_style_instance_with_planted_optimum() -> None:
    """Explicit weights with 4 planted cliques of 5: the optimum puts each clique together."""
    rng = np.random.default_rng(0)
    n, size = 20, 5
    order = rng.permutation(n)
    weights = []
    for i in range(n):
        for j in range(i + 1, n):
            same = order[i] // size == order[j] // size
            weights.append([i, j, 10.0 if same else float(rng.integers(0, 4))])
    members = [{"id": f"m{i}"} for i in range(n)]
    instance = {
        "group_size": {"min": 5, "max": 5},
        "num_groups": 4,
        "members": members,
        "weights": weights,
    }
    result = solve(instance, seed=1)
    assert result["objective"] == pytest.approx(4 * 10 * 10)
