"""Every kind of invalid input raises InstanceError naming the offending field."""

from __future__ import annotations

import copy
import math

import pytest

from tests.matching.matching_instances import small_instance
from worker.matching import InstanceError, parse_instance, solve


def _with(change) -> dict:
    instance = copy.deepcopy(small_instance(6))
    change(instance)
    return instance


def _set(path: list, value: object):
    def change(instance: dict) -> None:
        target = instance
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: list):
    def change(instance: dict) -> None:
        target = instance
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


CASES = [
    ("not an object", lambda i: i.clear() or i.update({"x": 1}), "group_size"),
    ("missing group_size", _delete(["group_size"]), "group_size"),
    ("missing min", _delete(["group_size", "min"]), "group_size.min"),
    ("min not int", _set(["group_size", "min"], "3"), "group_size.min"),
    ("min is bool", _set(["group_size", "min"], True), "group_size.min"),
    ("min > max", _set(["group_size", "min"], 5), "group_size"),
    ("min zero", _set(["group_size", "min"], 0), "group_size.min"),
    ("negative num_groups", _set(["num_groups"], -1), "num_groups"),
    ("too many groups", _set(["num_groups"], 3), "num_groups"),
    ("slots not list", _set(["slots"], {"id": "a"}), "slots"),
    ("empty slots", _set(["slots"], []), "slots"),
    ("slot without id", _delete(["slots", 0, "id"]), "slots[0].id"),
    ("duplicate slot", _set(["slots", 1, "id"], "tue-19"), "slots[1].id"),
    ("negative seats", _set(["slots", 0, "seats"], -2), "slots[0].seats"),
    ("missing members", _delete(["members"]), "members"),
    ("member not object", _set(["members", 2], "m2"), "members[2]"),
    ("missing id", _delete(["members", 3, "id"]), "members[3].id"),
    ("duplicate id", _set(["members", 4, "id"], "m1"), "members[4].id"),
    (
        "unknown slot",
        _set(["members", 3, "available"], ["tue-19", "mon-9"]),
        "members[3].available[1]",
    ),
    ("available not list", _set(["members", 1, "available"], "tue-19"), "members[1].available"),
    ("no features", _delete(["members", 2, "interests"]), "members[2]"),
    ("tag not string", _set(["members", 2, "interests"], ["chess", 3]), "members[2].interests[1]"),
    ("nan priority", _set(["members", 1, "priority"], math.nan), "members[1].priority"),
    ("negative priority", _set(["members", 1, "priority"], -1), "members[1].priority"),
    ("bad location", _set(["members", 0, "location"], [95, 10]), "members[0].location"),
    ("location length", _set(["members", 0, "location"], [50]), "members[0].location"),
    ("max_km without location", _set(["members", 0, "max_km"], 5), "members[0].max_km"),
    ("inf in vector", _set(["members", 0, "vector"], [1.0, math.inf]), "members[0].vector[1]"),
    ("empty vector", _set(["members", 0, "vector"], []), "members[0].vector"),
    ("weights not list", _set(["weights"], {"0": 1}), "weights"),
    ("weight shape", _set(["weights"], [[0, 1]]), "weights[0]"),
    ("weight index range", _set(["weights"], [[0, 1, 1.0], [2, 6, 1.0]]), "weights[1][1]"),
    ("weight negative index", _set(["weights"], [[-1, 1, 1.0]]), "weights[0][0]"),
    ("weight self pair", _set(["weights"], [[2, 2, 1.0]]), "weights[0]"),
    ("weight nan", _set(["weights"], [[0, 1, math.nan]]), "weights[0][2]"),
    ("weight duplicate", _set(["weights"], [[0, 1, 1.0], [1, 0, 2.0]]), "weights[1]"),
    ("pair unknown member", _set(["pairs"], [{"a": "m1", "b": "zz", "bond": 1}]), "pairs[0].b"),
    ("pair missing bond", _set(["pairs"], [{"a": "m1", "b": "m2"}]), "pairs[0].bond"),
    ("pair self", _set(["pairs"], [{"a": "m1", "b": "m1", "bond": 1}]), "pairs[0]"),
    ("block self", _set(["blocks"], [["m1", "m2"], ["m3", "m3"]]), "blocks[1]"),
    ("block unknown", _set(["blocks"], [["m1", "nobody"]]), "blocks[0][1]"),
    ("block shape", _set(["blocks"], [["m1"]]), "blocks[0]"),
]


@pytest.mark.parametrize(("name", "change", "field"), CASES, ids=[c[0] for c in CASES])
def test_invalid_input_names_the_field(name: str, change, field: str) -> None:
    instance = _with(change)
    with pytest.raises(InstanceError) as raised:
        parse_instance(instance)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
    assert isinstance(raised.value, ValueError)


def test_vectors_of_different_lengths() -> None:
    instance = small_instance(4)
    for k, member in enumerate(instance["members"]):
        member["vector"] = [1.0, 0.0] if k != 2 else [1.0, 0.0, 3.0]
    with pytest.raises(InstanceError) as raised:
        parse_instance(instance)
    assert raised.value.field == "members[2].vector"
    assert "length 3" in raised.value.message


def test_vector_missing_when_others_give_one() -> None:
    instance = small_instance(4)
    instance["members"][0]["vector"] = [1.0, 2.0]
    with pytest.raises(InstanceError) as raised:
        parse_instance(instance)
    assert raised.value.field == "members[1].vector"


def test_weights_replace_features_requirement() -> None:
    members = [{"id": f"m{i}"} for i in range(4)]
    instance = {"group_size": {"min": 2, "max": 2}, "members": members, "weights": [[0, 1, 3]]}
    assert parse_instance(instance).n == 4


def test_infeasible_num_groups_is_reported_by_solve() -> None:
    instance = small_instance(6, num_groups=2)
    instance["blocks"] = [[a, b] for a in ("m0", "m1") for b in ("m2", "m3", "m4", "m5")]
    instance["blocks"] += [["m0", "m1"], ["m2", "m3"], ["m4", "m5"], ["m2", "m4"]]
    with pytest.raises(InstanceError) as raised:
        solve(instance)
    assert raised.value.field == "num_groups"
