"""Pair weights and nearest neighbours agree with a plain computation of w(i, j)."""

from __future__ import annotations

import numpy as np

from tests.matching.matching_instances import small_instance
from worker.matching import parse_instance
from worker.matching.features import dense_pair_weights, nearest_neighbours, pair_weight_rows


def _instance() -> dict:
    instance = small_instance(30)
    instance["pairs"] = [{"a": "m1", "b": "m2", "bond": 1.0}, {"a": "m1", "b": "m5", "bond": -0.5}]
    return instance


def _plain_weights(parsed) -> np.ndarray:  # type: ignore[no-untyped-def]
    features = parsed.features.toarray()
    weights = features @ features.T + parsed.bonds.toarray()
    np.fill_diagonal(weights, 0.0)
    return weights


def test_dense_weights_and_rows_match_the_plain_computation() -> None:
    parsed = parse_instance(_instance())
    plain = _plain_weights(parsed)
    assert np.allclose(dense_pair_weights(parsed), plain)
    rows = np.array([1, 5, 7])
    assert np.allclose(pair_weight_rows(parsed, rows), plain[rows])


def test_neighbours_of_some_rows_are_their_top_weights() -> None:
    parsed = parse_instance(_instance())
    plain = _plain_weights(parsed)
    np.fill_diagonal(plain, -np.inf)
    rows = np.array([1, 4, 9, 20])
    neighbours, strength = nearest_neighbours(parsed, 3, chunk=2, rows=rows)
    for r, i in enumerate(rows):
        assert i not in neighbours[r]
        assert np.allclose(np.sort(strength[r]), np.sort(plain[i])[-3:])
        assert np.allclose(plain[i, neighbours[r]], strength[r])


def test_share_slot_keeps_only_members_who_could_meet() -> None:
    instance = _instance()
    for k, member in enumerate(instance["members"]):
        member["available"] = ["tue-19"] if k < 15 else ["sat-11"]
    parsed = parse_instance(instance)
    neighbours, strength = nearest_neighbours(parsed, 4, share_slot=True)
    real = np.isfinite(strength)
    assert real.all()
    assert ((neighbours < 15) == (np.arange(30) < 15)[:, None]).all()


def test_share_slot_with_members_free_everywhere_and_nowhere() -> None:
    instance = _instance()
    rng = np.random.default_rng(3)
    slots = ["tue-19", "sat-11", "sun-15"]
    instance["slots"] = [{"id": s} for s in slots]
    for k, member in enumerate(instance["members"]):
        member["available"] = [s for s in slots if rng.random() < 0.5] if k % 4 else slots
    instance["members"][7]["available"] = []
    parsed = parse_instance(instance)
    plain = _plain_weights(parsed)
    share = parsed.available.astype(int) @ parsed.available.T.astype(int) > 0
    plain[~share] = -np.inf
    np.fill_diagonal(plain, -np.inf)
    rows = np.flatnonzero(parsed.available.any(axis=1))
    rows = rows[np.argsort(-parsed.available[rows].sum(axis=1), kind="stable")]  # all 3 first
    for chunk in (2, 1000):  # chunks of only free-everywhere rows, and mixed ones
        neighbours, strength = nearest_neighbours(
            parsed, 3, chunk=chunk, rows=rows, share_slot=True
        )
        for r, i in enumerate(rows):
            assert np.allclose(np.sort(strength[r]), np.sort(plain[i])[-3:])
            assert np.allclose(plain[i, neighbours[r]], strength[r])
