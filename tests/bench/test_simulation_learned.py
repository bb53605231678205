"""Issue 15 in the simulation: rated pairs are recorded as the product would store them,
and learned terms enter only after round LEARN_AFTER and only when a model is adopted."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.simulation import learned
from bench.simulation.community import generate_community
from bench.simulation.formats import V2
from bench.simulation.policies import POLICIES, Constants, build_instance
from bench.simulation.rounds import simulate
from worker.compat import FEATURE_SET

BALANCED = next(p for p in POLICIES if p.name == "balanced")
COL = {name: k for k, name in enumerate(FEATURE_SET)}


@pytest.fixture(scope="module")
def run() -> tuple:
    community = generate_community(30, 5, 3, world=True)
    policy = replace(BALANCED, name="balanced + learned", learned="adopted")
    history, _ = simulate(community, policy, Constants(), V2)
    return community, policy, history


def test_ratings_follow_the_feedback_and_the_history_before(run: tuple) -> None:
    community, _, history = run
    assert history.ratings
    rounds = {r.round for r in history.ratings}
    assert rounds <= set(range(1, 6))
    positives = sum(r.label for r in history.ratings)
    assert 0 < positives <= sum(history.again_ratings.values())
    for r in history.ratings:
        assert r.a < r.b and r.met_before >= 0 and 3 <= r.group_size <= 4
        assert r.met_before < history.met[(r.a, r.b)]


def test_examples_carry_features_and_the_policy_bonds_of_the_time(run: tuple) -> None:
    _, policy, history = run
    ex = learned.examples(history, Constants(), policy, before=6)
    assert len(ex.labels) == len(history.ratings)
    met = ex.features[:, COL["met_before"]]
    again = ex.features[:, COL["again_before"]]
    assert np.array_equal(met, [r.met_before for r in history.ratings])
    assert np.array_equal(again, [r.again_before for r in history.ratings])
    expected = [learned.policy_bond(r, Constants(), policy) for r in history.ratings]
    assert np.allclose(ex.policy_bonds(), expected)
    assert (ex.features[:, COL["shared_languages"]] >= 1).all()  # the engine's language rule


def test_no_learned_terms_before_round_five_or_without_an_adopted_model(run: tuple) -> None:
    community, policy, history = run
    opted = list(range(20))
    plain = build_instance(BALANCED, opted, history, Constants(), V2)
    for r in (learned.LEARN_AFTER, learned.LEARN_AFTER + 1):
        history.round = r
        instance = build_instance(policy, opted, history, Constants(), V2)
        outcome = history.models.get(r)
        if outcome is None or not outcome.adopted:
            assert instance == plain
    assert len(history.ratings) < 200 and history.models[learned.LEARN_AFTER + 1].model is None
