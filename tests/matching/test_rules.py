"""Property tests: every result keeps every hard rule, on random and awkward instances."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings

from tests.matching.matching_instances import instances, small_instance
from worker.matching import InstanceError, check_result, objective, solve

FAST = 0.05  # seconds of search: rules must hold whatever the budget


def _solve_checked(instance: dict) -> dict | None:
    try:
        result = solve(instance, seed=1, time_limit=FAST)
    except InstanceError as error:
        assert error.field == "num_groups"  # only an unreachable group count may fail
        return None
    assert check_result(instance, result) == []
    groups = [group["members"] for group in result["groups"]]
    assert math.isclose(result["objective"], objective(instance, groups), abs_tol=1e-4)
    assert result["placed"] == sum(len(g) for g in groups)
    return result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_keep_every_hard_rule(instance: dict) -> None:
    _solve_checked(instance)


def test_fewer_members_than_min_group_size_in_a_slot() -> None:
    instance = small_instance(7)
    instance["group_size"] = {"min": 3, "max": 3}
    for k, member in enumerate(instance["members"]):
        member["available"] = ["sat-11"] if k < 2 else ["tue-19"]
    result = _solve_checked(instance)
    reasons = {u["id"]: u["reason"] for u in result["unmatched"]}
    assert reasons["m0"] == reasons["m1"] == "not enough members free at the same time"
    assert result["placed"] == 3  # 5 free on tuesday: one group of 3


def test_everyone_blocked_with_each_other() -> None:
    instance = small_instance(6)
    ids = [m["id"] for m in instance["members"]]
    instance["blocks"] = [[a, b] for a in ids for b in ids if a < b]
    result = _solve_checked(instance)
    assert result["groups"] == []
    assert {u["reason"] for u in result["unmatched"]} == {"blocked with everyone available"}


def test_seats_for_fewer_than_opted_in() -> None:
    instance = small_instance(12)
    instance["slots"] = [{"id": "tue-19", "seats": 5}, {"id": "sat-11", "seats": 0}]
    result = _solve_checked(instance)
    assert result["placed"] <= 5
    assert all(u["reason"] for u in result["unmatched"])
    assert any("venue full" in u["reason"] for u in result["unmatched"])


def test_member_with_no_slots() -> None:
    instance = small_instance(9)
    instance["members"][4]["available"] = []
    result = _solve_checked(instance)
    assert {"id": "m4", "reason": "no available time slot"} in result["unmatched"]


def test_num_groups_is_met() -> None:
    instance = small_instance(12, num_groups=3)
    result = _solve_checked(instance)
    assert len(result["groups"]) == 3


def test_priority_decides_who_gets_the_seats() -> None:
    instance = small_instance(8)
    instance["slots"] = [{"id": "tue-19", "seats": 4}, {"id": "sat-11", "seats": 0}]
    for member in instance["members"]:
        member["available"] = ["tue-19"]
    for k in (5, 6, 7):
        instance["members"][k]["priority"] = 3.0
    result = _solve_checked(instance)
    placed = {m for group in result["groups"] for m in group["members"]}
    assert {"m5", "m6", "m7"} <= placed


def test_travel_limits_hold_and_far_member_is_explained() -> None:
    instance = small_instance(10)
    for k, member in enumerate(instance["members"]):
        member["location"] = [52.50 + 0.01 * (k % 3), 13.40]
        member["max_km"] = 5
    instance["members"][9]["location"] = [48.14, 11.58]  # Munich, far from Berlin
    result = _solve_checked(instance)
    reasons = {u["id"]: u["reason"] for u in result["unmatched"]}
    assert reasons.get("m9") == "too far from other members"


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_communities(n: int) -> None:
    result = _solve_checked(small_instance(n))
    assert result["groups"] == [] and len(result["unmatched"]) == n


def test_check_result_reports_violations() -> None:
    instance = small_instance(8, blocks=[["m1", "m2"]])
    bad = {
        "groups": [
            {"members": ["m1", "m2", "m3", "m0", "m4"], "slot": "sat-11"},
            {"members": ["m1", "zz"], "slot": "nowhere"},
        ],
        "unmatched": [],
    }
    problems = check_result(instance, bad)
    text = "\n".join(problems)
    for expected in (
        "size 5",
        "unknown member 'zz'",
        "unknown slot 'nowhere'",
        "'m3' is not available",
        "are blocked",
        "in 2 groups",
        "neither grouped nor unmatched",
    ):
        assert expected in text
