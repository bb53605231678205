"""Format v2 soft signals: about texts, preferred group sizes, and no one alone."""

from __future__ import annotations

import copy

from bench.validate import objective as bench_objective
from worker.matching import check_result, objective, solve

TOPICS = ["gardening tomatoes", "football league", "jazz piano", "knitting scarves"]


def _about_instance() -> dict:
    """Eight members with the same tag; two wrote about the same rare topic."""
    members = [{"id": f"m{k}", "interests": ["chess"], "about": TOPICS[k % 4]} for k in range(6)]
    members += [
        {"id": "x", "interests": ["chess"], "about": "I would love to talk about mycology"},
        {"id": "y", "interests": ["chess"], "about": "Mycology walks, anyone?"},
    ]
    return {"group_size": {"min": 2, "max": 2}, "members": members}


def test_about_text_brings_a_rare_topic_together() -> None:
    instance = _about_instance()
    result = solve(instance, seed=0)
    pairs = [set(g["members"]) for g in result["groups"]]
    assert {"x", "y"} in pairs
    group = next(g for g in result["groups"] if set(g["members"]) == {"x", "y"})
    assert group["why"] == ["chess", "mycology"]  # tags first, then the shared topic
    without = copy.deepcopy(instance)
    without["about_weight"] = 0
    assert objective(without, [["x", "y"]]) == 1.0  # tags alone
    assert objective(instance, [["x", "y"]]) > 1.0


def test_engine_and_bench_compute_the_same_v2_objective() -> None:
    instance = _about_instance()
    instance["about_weight"] = 0.7
    instance["members"][0]["about"] = ""
    groups = [g["members"] for g in solve(instance, seed=1)["groups"]]
    assert abs(objective(instance, groups) - bench_objective(instance, groups)) < 1e-9


def _cliques(bond: float) -> dict:
    """Two groups of four; everyone prefers groups of five (or three); distinct tags."""
    members = [
        {"id": f"m{k}", "interests": [f"tag{k}"], "preferred_size": 5 if k != 0 else 3}
        for k in range(8)
    ]
    pairs = [
        {"a": f"m{a}", "b": f"m{b}", "bond": bond}
        for block in (range(0, 4), range(4, 8))
        for a in block
        for b in block
        if a < b
    ]
    instance = {"group_size": {"min": 3, "max": 5}, "members": members}
    if bond:
        instance["pairs"] = pairs
    return instance


def _sizes(result: dict) -> list[int]:
    return sorted(len(g["members"]) for g in result["groups"])


def test_preferred_size_is_honoured_when_it_costs_nothing() -> None:
    result = solve(_cliques(0.0), seed=0)
    assert _sizes(result) == [3, 5]
    own = {m: len(g["members"]) for g in result["groups"] for m in g["members"]}
    assert own["m0"] == 3


def test_preferred_size_is_not_honoured_when_it_costs_much() -> None:
    instance = _cliques(1.0)
    result = solve(instance, seed=0)
    assert _sizes(result) == [4, 4]
    assert result["objective"] == 12.0
    assert check_result(instance, result) == []


def _lonely(version: int | None) -> dict:
    """F only likes A; the best grouping {A,B,C}, {D,E,F} leaves F alone (objective 4).

    Swapping F and C ({A,B,F}, {C,D,E}) gives everyone a companion for 0.1 less.
    """
    ids = "ABCDEF"
    w = {"AB": 1, "AC": 1, "BC": 1, "DE": 1, "AF": 0.3, "CD": 0.8, "CE": 0.8}
    weights = [[ids.index(p[0]), ids.index(p[1]), v] for p, v in w.items()]
    instance = {
        "group_size": {"min": 3, "max": 3},
        "members": [{"id": x} for x in ids],
        "weights": weights,
    }
    if version:
        instance["version"] = version
    return instance


def test_no_one_alone_where_a_cheap_swap_allows() -> None:
    v1 = solve(_lonely(None), seed=0)
    assert v1["alone"] == 1 and abs(v1["objective"] - 4.0) < 1e-9  # v1: unchanged
    v2 = solve(_lonely(2), seed=0)
    assert v2["alone"] == 0 and abs(v2["objective"] - 3.9) < 1e-9
    assert check_result(_lonely(2), v2) == []
