"""The result format, its JSON round trip, `why`, features and instance serialisation."""

from __future__ import annotations

import json
import math

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.matching.matching_instances import small_instance
from worker.matching import check_result, objective, parse_instance, solve
from worker.matching.features import dense_pair_weights
from worker.matching.serialise import instance_to_dict


def test_result_has_every_field_and_survives_json() -> None:
    instance = small_instance(14, pairs=[{"a": "m0", "b": "m1", "bond": 0.5}])
    result = solve(instance, seed=2, time_limit=0.2)
    assert set(result) == {"groups", "unmatched", "objective", "placed", "alone", "seconds"}
    for group in result["groups"]:
        assert set(group) == {"members", "slot", "score", "why"}
        assert all(isinstance(tag, str) for tag in group["why"])
    assert json.loads(json.dumps(result)) == result
    assert math.isclose(
        sum(g["score"] for g in result["groups"]), result["objective"], abs_tol=1e-4
    )


def test_why_lists_shared_tags_most_shared_first() -> None:
    members = [
        {"id": "a", "interests": ["Hiking", "jazz", "chess"]},
        {"id": "b", "interests": ["hiking", "jazz"]},
        {"id": "c", "interests": ["hiking", "film"]},
    ]
    result = solve({"group_size": {"min": 3, "max": 3}, "members": members})
    assert result["groups"][0]["why"] == ["hiking", "jazz"]
    assert result["groups"][0]["slot"] is None


def test_tag_similarity_matches_sklearn_tfidf() -> None:
    instance = small_instance(10)
    weights = dense_pair_weights(parse_instance(instance))
    docs = [" ".join(m["interests"]) for m in instance["members"]]
    tfidf = TfidfVectorizer(binary=True).fit_transform(docs)
    expected = (tfidf @ tfidf.T).toarray()
    np.fill_diagonal(expected, 0)
    assert np.allclose(weights, expected)


def test_vectors_use_cosine_and_bonds_add() -> None:
    members = [
        {"id": "a", "vector": [3, 0]},
        {"id": "b", "vector": [1, 1]},
        {"id": "c", "vector": [0, 2]},
    ]
    instance = {
        "group_size": {"min": 3, "max": 3},
        "members": members,
        "pairs": [{"a": "a", "b": "c", "bond": 1.0}, {"a": "c", "b": "a", "bond": -0.25}],
    }
    expected = 2 * math.sqrt(0.5) + 0.0 + 0.75
    assert math.isclose(objective(instance, [["a", "b", "c"]]), expected)


def test_explicit_weights_replace_similarity() -> None:
    members = [{"id": f"m{i}", "interests": ["same"]} for i in range(4)]
    instance = {
        "group_size": {"min": 2, "max": 2},
        "members": members,
        "weights": [[0, 1, 5], [2, 3, 1], [0, 2, 4], [1, 3, 4]],
    }
    result = solve(instance)
    assert result["objective"] == 8
    assert check_result(instance, result) == []


def test_instance_round_trips_through_serialisation() -> None:
    instance = small_instance(
        12, blocks=[["m1", "m2"]], pairs=[{"a": "m3", "b": "m4", "bond": 0.7}]
    )
    instance["members"][0]["location"] = [52.5, 13.4]
    instance["members"][0]["max_km"] = 8.0
    instance["members"][1]["priority"] = 2.5
    parsed = parse_instance(instance)
    again = parse_instance(json.loads(json.dumps(instance_to_dict(parsed))))
    assert again.ids == parsed.ids
    assert np.array_equal(again.available, parsed.available)
    assert np.array_equal(again.priority, parsed.priority)
    assert np.allclose(dense_pair_weights(again), dense_pair_weights(parsed))
    assert (again.blocks != parsed.blocks).nnz == 0
    assert again.max_km[0] == 8.0 and again.interests == parsed.interests
