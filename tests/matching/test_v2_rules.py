"""Format v2 rules: a shared language per group, venues in reach, and their reasons."""

from __future__ import annotations

import numpy as np
import pytest

import worker.matching.solver as solver
from bench.validate import violations
from tests.matching.matching_instances import TAGS
from worker.matching import check_result, solve
from worker.matching.shards import merge_results, split_instance

LANGUAGE_MIX = [["en", "es"], ["es", "fr"], ["fr", "en"], ["en"], ["es"], ["fr"], [], ["de"]]


def _shares_language(instance: dict, result: dict) -> bool:
    spoken = {m["id"]: set(m.get("languages") or []) for m in instance["members"]}
    for group in result["groups"]:
        listed = [spoken[m] for m in group["members"] if spoken[m]]
        if listed and not set.intersection(*listed):
            return False
    return True


def _multilingual(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    members = [
        {
            "id": f"m{i}",
            "interests": list(rng.choice(TAGS, 2, replace=False)),
            "languages": LANGUAGE_MIX[int(rng.integers(len(LANGUAGE_MIX)))],
            "available": ["tue-19", "sat-11"] if i % 3 else ["sat-11"],
            "location": [52.4 + 0.002 * (i % 40), 13.3 + 0.002 * (i // 40)],
        }
        for i in range(n)
    ]
    return {
        "group_size": {"min": 3, "max": 5},
        "slots": [{"id": "tue-19", "seats": n // 3}, {"id": "sat-11"}],
        "members": members,
        "blocks": [["m1", "m2"]],
    }


def test_triangle_of_languages_is_never_one_group() -> None:
    """A{en,es}, B{es,fr}, C{fr,en} share a language pairwise but not as a group."""
    langs = [["en", "es"], ["es", "fr"], ["fr", "en"], ["en"], ["es"], ["fr"]]
    members = [
        {"id": f"m{k}", "interests": ["chess"], "languages": spoken}
        for k, spoken in enumerate(langs)
    ]
    instance = {"group_size": {"min": 3, "max": 3}, "members": members}
    for seed in range(3):
        result = solve(instance, seed=seed)
        assert check_result(instance, result) == []
        assert _shares_language(instance, result)
    triangle = {
        "groups": [{"members": ["m0", "m1", "m2"], "slot": None}],
        "unmatched": [{"id": f"m{k}", "reason": "x"} for k in range(3, 6)],
    }
    assert any("share none" in p for p in check_result(instance, triangle))
    assert any("no language shared" in p for p in violations(instance, triangle))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_language_rule_holds_in_every_path(seed: int) -> None:
    instance = _multilingual(90, seed)
    for shard in (False, True):
        result = solve(instance, seed=seed, shard=shard)
        assert check_result(instance, result) == []
        assert _shares_language(instance, result)
        assert result["placed"] >= 80


def test_language_rule_holds_through_shards_and_border_repair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(solver, "SHARD_SIZE", 40)
    monkeypatch.setattr(solver, "WHOLE_SIZE", 40)
    instance = _multilingual(160, 4)
    result = solve(instance, seed=1)
    assert check_result(instance, result) == [] and _shares_language(instance, result)
    shards = split_instance(instance, max_shard_size=40)
    assert all(any("languages" in m for m in shard["members"]) for shard in shards)
    merged = merge_results(instance, [solve(s, seed=k) for k, s in enumerate(shards)])
    assert check_result(instance, merged) == [] and _shares_language(instance, merged)


def test_members_without_languages_fit_any_group() -> None:
    spoken = [["en"]] * 3 + [["fr"]] * 3 + [[]] * 2
    members = [
        {"id": f"m{k}", "interests": ["chess"], "languages": langs}
        for k, langs in enumerate(spoken)
    ]
    instance = {"group_size": {"min": 4, "max": 4}, "members": members}
    result = solve(instance, seed=0)
    assert result["placed"] == 8 and check_result(instance, result) == []


def test_no_shared_language_is_the_reason() -> None:
    spoken = [["en"]] * 6 + [["de"]]
    members = [
        {"id": f"m{k}", "interests": ["chess"], "languages": langs}
        for k, langs in enumerate(spoken)
    ]
    result = solve({"group_size": {"min": 3, "max": 4}, "members": members}, seed=0)
    assert result["unmatched"] == [{"id": "m6", "reason": "no group shares a language"}]


def test_venues_narrow_availability_with_their_own_reason() -> None:
    near_a, near_b, far = [52.52, 13.40], [52.52, 13.70], [48.14, 11.58]  # b ~20 km east
    members = [
        {"id": f"a{k}", "interests": ["chess"], "location": near_a, "max_km": 5} for k in range(3)
    ]
    members += [
        {"id": f"b{k}", "interests": ["chess"], "location": near_b, "max_km": 5} for k in range(3)
    ]
    members.append({"id": "far", "interests": ["chess"], "location": far, "max_km": 30})
    members.append({"id": "busy", "interests": ["chess"], "available": []})
    instance = {
        "group_size": {"min": 3, "max": 5},
        "slots": [{"id": "tue", "location": near_a}, {"id": "sat", "location": near_b}],
        "members": members,
    }
    result = solve(instance, seed=0)
    assert check_result(instance, result) == []
    slots = {m: g["slot"] for g in result["groups"] for m in g["members"]}
    assert {slots[f"a{k}"] for k in range(3)} == {"tue"}
    assert {slots[f"b{k}"] for k in range(3)} == {"sat"}
    reasons = {u["id"]: u["reason"] for u in result["unmatched"]}
    assert reasons == {
        "far": "no time slot within travel distance",
        "busy": "no available time slot",
    }


def test_venue_distance_is_checked() -> None:
    members = [{"id": f"m{k}", "interests": ["chess"]} for k in range(3)]
    members[0].update(location=[52.52, 13.70], max_km=5)
    instance = {
        "group_size": {"min": 3, "max": 3},
        "slots": [{"id": "tue", "location": [52.52, 13.40]}],
        "members": members,
    }
    grouped = {"groups": [{"members": ["m0", "m1", "m2"], "slot": "tue"}], "unmatched": []}
    assert any("from the venue" in p for p in check_result(instance, grouped))
    assert any("from the venue" in p for p in violations(instance, grouped))


def test_every_v2_field_at_once_keeps_both_checkers_quiet() -> None:
    for seed in range(4):
        instance = _multilingual(45, seed)
        rng = np.random.default_rng(seed)
        instance["slots"][0]["location"] = [52.42, 13.32]
        instance["about_weight"] = 0.5
        for k, member in enumerate(instance["members"]):
            member["max_km"] = float(rng.choice([2.0, 5.0, 50.0]))
            member["about"] = ["tide pools", "sourdough starters", ""][k % 3]
            if k % 2:
                member["preferred_size"] = int(rng.integers(3, 6))
        result = solve(instance, seed=seed)
        assert check_result(instance, result) == []
        assert violations(instance, result) == []
        assert _shares_language(instance, result)
