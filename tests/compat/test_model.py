"""Training: threshold, time split, adoption both ways, JSON storage and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import worker.compat.model as model_module
from tests.compat.helpers import rated_pairs
from worker.compat import (
    FEATURE_SET,
    FEATURE_SET_VERSION,
    MIN_RATED_PAIRS,
    CompatModel,
    ModelError,
    train,
)
from worker.compat.model import HOLDOUT_SHARE, held_out_mask

WHEN = "2026-12-05T22:00:00+00:00"


def test_below_the_threshold_there_is_no_model() -> None:
    examples = rated_pairs("history", meetups=5, per_meetup=(MIN_RATED_PAIRS - 1) // 5)
    outcome = train(examples, trained_at=WHEN)
    assert outcome.model is None and not outcome.adopted
    assert str(MIN_RATED_PAIRS) in outcome.reason


def test_held_out_pairs_are_the_latest_whole_meetups() -> None:
    meetup = np.repeat([3, 1, 2, 4, 5], 10)  # order of the key, not of the rows, counts
    held = held_out_mask(meetup)
    assert held is not None
    assert set(meetup[held]) == {4, 5}  # 20 of 50 pairs >= 25%, whole meetups
    assert held.sum() >= HOLDOUT_SHARE * len(meetup)
    assert held_out_mask(np.zeros(9)) is None  # one meetup: nothing left to train on


def test_validation_never_trains_on_held_out_meetups(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[set[int]] = []
    fit = model_module._fit

    def recording(examples: model_module.Examples) -> dict:
        seen.append({int(m) for m in examples.meetup})
        return fit(examples)

    monkeypatch.setattr(model_module, "_fit", recording)
    outcome = train(rated_pairs("history"), trained_at=WHEN)
    validation = outcome.validation
    held = validation["held_out_meetups"]
    assert seen[0] == set(range(20 - held))  # the split model: earlier meetups only
    assert seen[1] == set(range(20))  # then refitted on everything for use
    assert validation["train_pairs"] + validation["held_out_pairs"] == 600


def test_adopted_when_it_beats_the_plain_weight_on_later_meetups() -> None:
    outcome = train(rated_pairs("history"), trained_at=WHEN)
    v = outcome.validation
    assert outcome.adopted, outcome.reason
    assert v["auc_engine"] >= v["auc_plain"] + model_module.ADOPT_MARGIN
    assert v["brier_model"] < v["brier_base"]
    assert outcome.model is not None and outcome.model.adopted
    assert outcome.model.engine["met_before"] > 0  # having met predicts "meet again" here
    assert "better" in outcome.reason


def test_not_adopted_when_labels_are_noise_and_it_says_why() -> None:
    outcome = train(rated_pairs("noise"), trained_at=WHEN)
    assert not outcome.adopted
    assert outcome.model is not None and not outcome.model.adopted
    assert "no better" in outcome.reason
    assert outcome.model.reason == outcome.reason


def test_json_round_trip_keeps_everything() -> None:
    model = train(rated_pairs("interest"), trained_at=WHEN).model
    assert model is not None
    again = CompatModel.from_json(model.to_json())
    assert again == model and again.version == model.version
    assert again.trained_at == WHEN and again.n_pairs == 600 and again.n_meetups == 20
    x = rated_pairs("interest", meetups=2).features
    assert np.allclose(again.probability(x), model.probability(x))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a Hearth compatibility model"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_corrupt_json_raises_model_error(text: str | bytes, says: str) -> None:
    with pytest.raises(ModelError, match=says):
        CompatModel.from_json(text)


def _stored(**changes: object) -> str:
    model = train(rated_pairs("interest"), trained_at=WHEN).model
    assert model is not None
    data = json.loads(model.to_json())
    data.update(changes)
    return json.dumps(data)


def test_older_feature_set_raises_model_error() -> None:
    with pytest.raises(ModelError, match="older feature set"):
        CompatModel.from_json(_stored(feature_set_version=FEATURE_SET_VERSION - 1))


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"coef": [0.1] * (len(FEATURE_SET) - 1)}, "coef"),
        ({"intercept": "NaN"}, "intercept"),
        ({"features": list(reversed(FEATURE_SET))}, "feature list"),
        ({"scales": [0.0] * len(FEATURE_SET)}, "scales"),
        ({"engine": {"interest_weight": 1.0}}, "engine"),
        ({"n_pairs": -3}, "n_pairs"),
    ],
)
def test_damaged_fields_raise_model_error(changes: dict, says: str) -> None:
    with pytest.raises(ModelError, match=says):
        CompatModel.from_json(_stored(**changes))


def test_stored_model_and_effects_hold_aggregates_only() -> None:
    small = train(rated_pairs("interest", meetups=10), trained_at=WHEN).model
    large = train(rated_pairs("interest", meetups=40), trained_at=WHEN).model
    assert small is not None and large is not None
    # nothing grows with the number of pairs: no example, member or pair is stored
    assert json.loads(small.to_json()).keys() == json.loads(large.to_json()).keys()
    assert abs(len(small.to_json()) - len(large.to_json())) < 200
    for row in large.validation["reliability"]:
        assert row["pairs"] >= model_module.MIN_BIN_PAIRS
    effects = large.effects()
    assert {e.feature for e in effects.chart} == set(FEATURE_SET)
    assert effects.sentences[0].startswith("Shared interests matter most")
    assert all("m1" not in s and "member 1" not in s for s in effects.sentences)
