"""Sharding: split into independent sub-instances, solve apart, merge, repair borders."""

from __future__ import annotations

import json

import pytest

import worker.matching.solver as solver
from tests.matching.matching_instances import TAGS
from worker.matching import check_result, parse_instance, solve
from worker.matching.shards import merge_results, split_instance


def _community(n: int) -> dict:
    members = []
    for i in range(n):
        member = {
            "id": f"m{i}",
            "interests": [TAGS[i % 8], TAGS[(i // 8) % 8], TAGS[(i * 5) % 8]],
            "available": ["tue-19", "sat-11"] if i % 4 else ["sat-11"],
            "location": [52.4 + 0.002 * (i % 50), 13.3 + 0.002 * (i // 50)],
        }
        if i % 5 == 0:
            member["max_km"] = 10
        members.append(member)
    return {
        "group_size": {"min": 3, "max": 5},
        "slots": [{"id": "tue-19", "seats": n // 3}, {"id": "sat-11"}],
        "members": members,
        "blocks": [["m1", "m2"], ["m5", "m9"]],
        "pairs": [{"a": "m3", "b": "m4", "bond": 1.0}],
    }


def test_split_gives_valid_independent_shards() -> None:
    instance = _community(160)
    shards = split_instance(instance, max_shard_size=40)
    assert len(shards) >= 4
    seen: list[str] = []
    for shard in shards:
        parsed = parse_instance(json.loads(json.dumps(shard)))
        assert parsed.n <= 40
        assert (parsed.available.sum(axis=0) > 0).sum() == 1  # one slot per shard
        seen += parsed.ids
    assert len(seen) == len(set(seen)) == 160


def test_merge_of_shard_results_keeps_every_rule() -> None:
    instance = _community(160)
    shards = split_instance(instance, max_shard_size=40)
    results = [solve(shard, seed=k, time_limit=0.2) for k, shard in enumerate(shards)]
    merged = merge_results(instance, results)
    assert check_result(instance, merged) == []
    assert merged["placed"] >= 150


def test_solve_takes_the_sharded_path_for_large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solver, "SHARD_SIZE", 50)
    monkeypatch.setattr(solver, "WHOLE_SIZE", 50)
    planned: list[int] = []
    original = solver.plan_shards

    def counting_plan(*args: object) -> list:
        shards = original(*args)
        planned.append(len(shards))
        return shards

    monkeypatch.setattr(solver, "plan_shards", counting_plan)
    instance = _community(200)
    result = solve(instance, seed=3)
    assert planned and planned[0] > 1
    assert check_result(instance, result) == []
    assert result["placed"] >= 190


def test_a_shard_solved_alone_gets_the_in_process_shards_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Celery shard (`shard=True`) skips the polish and caps the exchange rounds."""
    calls: list[dict] = []
    original = solver.optimise

    def recording_optimise(*args: object, **kwargs: object):  # noqa: ANN202 - passes through
        calls.append({k: v for k, v in kwargs.items() if k != "progress"})
        return original(*args, **kwargs)

    monkeypatch.setattr(solver, "optimise", recording_optimise)
    instance = _community(160)
    assert check_result(instance, solve(instance, seed=1, shard=True)) == []
    assert check_result(instance, solve(instance, seed=1)) == []
    assert calls == [
        {"polish": False, "exchange_rounds": solver.SHARD_EXCHANGE_ROUNDS},
        {"polish": True},
    ]
