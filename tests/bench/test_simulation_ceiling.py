"""Ceilings (`bench/simulation/ceiling.py`): the policy told the hidden truth.

Small communities through the real engine; the full diagnostic is the bench
`python -m bench.simulation --ceiling`, never a test.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.simulation.ceiling import (
    KNOWS,
    ceiling_report,
    declared_fit,
    meetings_fit,
    out_of_reach,
    truth,
    with_true_weights,
)
from bench.simulation.community import generate_community
from bench.simulation.formats import V2
from bench.simulation.history import History, Rating
from bench.simulation.policies import POLICIES, Constants, build_instance
from bench.simulation.world import NO_LANGUAGE_COMPAT
from worker.matching import parse_instance
from worker.matching.features import dense_pair_weights

BALANCED = next(p for p in POLICIES if p.name == "balanced")


def test_revealable_is_the_truth_without_chemistry() -> None:
    """What members are decides `revealable`; meeting adds chemistry on top, except for
    pairs with no common language, who cannot talk at all."""
    community = generate_community(30, 3, seed=5, world=True)
    revealable, full = community.revealable, community.compatibility
    assert revealable is not None and revealable.shape == full.shape
    assert np.allclose(revealable, revealable.T) and not np.diag(revealable).any()
    mute = revealable == NO_LANGUAGE_COMPAT
    assert mute.any() and np.array_equal(full[mute], revealable[mute])
    chemistry = (full - revealable)[~mute & ~np.eye(community.size, dtype=bool)]
    assert 0.2 < chemistry.std() < 0.5  # CHEMISTRY_SD, the part only meeting reveals
    assert generate_community(30, 3, seed=5).revealable is not None  # the classic world too


def test_true_weights_follow_the_truth_at_the_plain_scale() -> None:
    """Explicit weights rank pairs as the truth does, with the plain similarity's mean and
    spread; the policy's bonds and every v2 field stay."""
    community = generate_community(30, 3, seed=6, world=True)
    history = History(community)
    history.met[(0, 1)] = 2
    opted = list(range(0, 30, 2)) + [1]
    knowing = replace(BALANCED, knows="everything")
    plain = build_instance(BALANCED, opted, history, Constants(), V2)
    told = build_instance(knowing, opted, history, Constants(), V2)
    assert "weights" not in plain and told["pairs"] == plain["pairs"] and told["pairs"]
    assert told["members"] == plain["members"]
    n = len(opted)
    weights = np.zeros((n, n))
    for i, j, w in told["weights"]:
        weights[i, j] = w
    upper = np.triu_indices(n, 1)
    assert len(told["weights"]) == len(upper[0])
    truth_block = community.compatibility[np.ix_(opted, opted)][upper]
    assert np.corrcoef(weights[upper], truth_block)[0, 1] == pytest.approx(1.0)
    plain_sim = dense_pair_weights(parse_instance({**plain, "pairs": []}))[upper]
    assert weights[upper].mean() == pytest.approx(plain_sim.mean(), abs=1e-4)
    assert weights[upper].std() == pytest.approx(plain_sim.std(), rel=1e-3)
    parse_instance(told)  # the engine accepts it


def test_unknown_ceiling_is_named() -> None:
    community = generate_community(12, 2, seed=1, world=True)
    with pytest.raises(ValueError, match="unknown ceiling 'oracle'"):
        truth(community, "oracle")
    assert with_true_weights({"members": []}, [3], community, "everything") == {"members": []}


def test_ceiling_report_compares_the_policy_with_its_ceilings() -> None:
    """A tiny run prints the product's policy and both ceilings, each with its tie gain."""
    text = ceiling_report(30, 6, [2], Constants(), BALANCED)
    rows = [line for line in text.splitlines() if line.startswith("balanced")]
    assert [r.split("|")[0].strip() for r in rows] == [
        "balanced",
        *(f"balanced, knows {k}" for k in KNOWS),
    ]
    assert "mean |" in text and "can never be placed" in text
    assert rows[0].endswith("+0.0%") and all("%" in r for r in rows)


def test_blurred_truth_has_the_asked_correlation() -> None:
    """`revealable@0.5` correlates about 0.5 with the revealable truth over pairs who share
    a language, keeps pairs who share none as they are, and is fixed by the seed."""
    community = generate_community(120, 3, seed=3, world=True)
    exact = truth(community, "revealable")
    blur = truth(community, "revealable@0.5")
    talk = exact != NO_LANGUAGE_COMPAT
    np.fill_diagonal(talk, False)
    assert np.corrcoef(blur[talk], exact[talk])[0, 1] == pytest.approx(0.5, abs=0.03)
    assert np.array_equal(blur[~talk], exact[~talk]) and np.allclose(blur, blur.T)
    assert np.array_equal(blur, truth(community, "revealable@0.5"))
    with pytest.raises(ValueError, match="must lie in"):
        truth(community, "revealable@1.5")


def test_declared_fit_scores_held_out_pairs() -> None:
    """A weight fitted to the truth on half the members ranks the other half's pairs better
    than the plain similarity on average over seeds, and both stay far from the truth."""
    fits = [declared_fit(generate_community(120, 12, seed, world=True)) for seed in range(1, 7)]
    plain, bilinear = np.mean(fits, axis=0)
    assert 0.05 < plain < bilinear < 0.6


def test_meetings_fit_learns_members_from_many_partners() -> None:
    """With the truth of half of all pairs, member vectors predict the other half well; with
    a handful of partners each, much less; with no ratings there is nothing to fit."""
    community = generate_community(60, 3, seed=2, world=True)
    rng = np.random.default_rng(0)

    def rated(share: float) -> History:
        history = History(community)
        for a in range(community.size):
            for b in range(a + 1, community.size):
                if rng.random() < share:
                    history.ratings.append(Rating(1, a, b, 4, 0, 0, 0, 0, 1))
        return history

    many, partners = meetings_fit(rated(0.5))
    assert many > 0.8 and partners > 15
    few, partners = meetings_fit(rated(0.06))
    assert few < many and partners < 6
    assert np.isnan(meetings_fit(History(community))[0])


def test_out_of_reach_counts_the_unplaceable_and_the_late() -> None:
    """Members whose every declared time is at a venue beyond their travel distance, and
    newcomers of the last rounds; in the classic world nobody is out of reach by place."""
    community = generate_community(120, 12, seed=1, world=True)
    never, late, either = out_of_reach(community)
    reach = community.world.reach & community.declared
    assert never == pytest.approx((~reach.any(axis=1)).mean()) and 0 < never < 0.2
    assert late == pytest.approx((community.join_round >= 10).mean()) and late > 0
    assert max(never, late) <= either <= never + late
    assert out_of_reach(generate_community(120, 12, seed=1))[0] == 0.0
