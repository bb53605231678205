"""An adopted model enters the engine as documented, and engine and validator agree."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from bench import validate
from tests.compat.helpers import rated_pairs
from tests.matching.matching_instances import small_instance
from worker.compat import instance_terms, merge_terms, train
from worker.matching import objective, parse_instance, solve
from worker.matching.features import dense_pair_weights
from worker.matching.serialise import instance_to_dict

ABOUTS = ["sourdough and astronomy", "astronomy nights", "slow travel", "", "sourdough"]


def _instance() -> dict:
    instance = small_instance(15)
    for k, member in enumerate(instance["members"]):
        member["about"] = ABOUTS[k % len(ABOUTS)]
    instance["pairs"] = [{"a": "m0", "b": "m1", "bond": 1.0}]
    return instance


def _model(adopted: bool = True):  # noqa: ANN202
    model = train(rated_pairs("history"), trained_at="2026-12-05T22:00:00").model
    assert model is not None
    engine = {"interest_weight": 2.0, "about_weight": 0.5, "met_before": 0.4}
    engine |= {"again_before": 1.5, "not_for_me_before": -1.0}
    return dataclasses.replace(model, engine=engine, adopted=adopted)


def test_no_model_or_not_adopted_leaves_the_instance_alone() -> None:
    instance = _instance()
    assert instance_terms(None) == {}
    assert instance_terms(_model(adopted=False), {("m0", "m1"): {"met_before": 1}}) == {}
    assert merge_terms(instance, {}) is instance


def test_terms_scale_similarities_and_add_history_bonds() -> None:
    history = {("m0", "m1"): {"met_before": 2, "again_before": 1}, ("m2", "m3"): {}}
    history[("m4", "m5")] = {"not_for_me_before": 1}
    terms = instance_terms(_model(), history)
    assert terms["interest_weight"] == 2.0 and terms["about_weight"] == 0.5
    assert terms["pairs"] == [
        {"a": "m0", "b": "m1", "bond": pytest.approx(2 * 0.4 + 1.5)},
        {"a": "m4", "b": "m5", "bond": -1.0},
    ]  # no history, no bond
    plain = _instance()
    learned = merge_terms(plain, terms)
    assert learned["pairs"] == [  # added to the policy's entry; a new entry only for new pairs
        {"a": "m0", "b": "m1", "bond": pytest.approx(1.0 + 2 * 0.4 + 1.5)},
        {"a": "m4", "b": "m5", "bond": -1.0},
    ]
    assert plain["pairs"] == [{"a": "m0", "b": "m1", "bond": 1.0}]  # not changed in place
    base = dense_pair_weights(parse_instance(plain | {"about_weight": 0.0}))
    about = dense_pair_weights(parse_instance(plain)) - base
    bonds = np.zeros_like(base)
    for p in learned["pairs"]:
        i, j = int(p["a"][1:]), int(p["b"][1:])
        bonds[i, j] += p["bond"]
        bonds[j, i] += p["bond"]
    sim = base.copy()
    sim[0, 1] = sim[1, 0] = sim[0, 1] - 1.0  # the policy bond of the plain instance
    expected = 2.0 * sim + 0.5 * about + bonds
    np.fill_diagonal(expected, 0.0)
    assert np.allclose(dense_pair_weights(parse_instance(learned)), expected)


def test_engine_and_independent_validator_agree_on_the_learned_objective() -> None:
    learned = merge_terms(_instance(), instance_terms(_model(), {("m0", "m1"): {"met_before": 3}}))
    result = solve(learned, seed=0, time_limit=None)
    groups = [g["members"] for g in result["groups"]]
    assert result["objective"] == pytest.approx(objective(learned, groups))
    assert result["objective"] == pytest.approx(validate.objective(learned, groups), abs=1e-6)
    weights = dense_pair_weights(parse_instance(learned))
    by_hand = sum(
        weights[int(a[1:]), int(b[1:])] for g in groups for a, b in itertools.combinations(g, 2)
    )
    assert result["objective"] == pytest.approx(by_hand, abs=1e-6)


@pytest.mark.parametrize("weight", [0.0, 0.3, 2.5])
def test_interest_weight_survives_a_shard_round_trip(weight: float) -> None:
    instance = _instance() | {"interest_weight": weight}
    parsed = parse_instance(instance)
    again = parse_instance(instance_to_dict(parsed))
    assert again.interest_weight == weight
    assert np.allclose(dense_pair_weights(again), dense_pair_weights(parsed))
