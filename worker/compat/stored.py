"""Reading a stored model back: every field checked, `ModelError` saying what is wrong.

Matching must never break on a stored model: the caller catches `ModelError`, falls back
to the plain weight and logs the message (corrupt JSON, a missing or non-finite number,
a model of an older feature set that must be retrained).
"""

from __future__ import annotations

import json
from typing import Any

from worker.compat.features import FEATURE_SET, FEATURE_SET_VERSION, HISTORY_FEATURES
from worker.compat.model import KIND, CompatModel, ModelError, finite

ENGINE_KEYS = ("interest_weight", "about_weight", *HISTORY_FEATURES)


def parse_model(text: str | bytes) -> CompatModel:
    """The `CompatModel` stored as ``text`` by `CompatModel.to_json`."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ModelError(f"stored model is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ModelError("stored model: not a Hearth compatibility model")
    version = data.get("feature_set_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ModelError("stored model: feature_set_version is missing")
    if version != FEATURE_SET_VERSION:
        age = "an older" if version < FEATURE_SET_VERSION else "a newer"
        raise ModelError(
            f"stored model uses {age} feature set (version {version}, this code has "
            f"{FEATURE_SET_VERSION}); it must be retrained"
        )
    if data.get("features") != list(FEATURE_SET):
        raise ModelError("stored model: its feature list differs from this code's FEATURE_SET")
    n = len(FEATURE_SET)
    scales = finite(data.get("scales"), "scales", n)
    if any(s <= 0 for s in scales):
        raise ModelError("scales: must be positive")
    engine = data.get("engine")
    if not isinstance(engine, dict) or set(engine) != set(ENGINE_KEYS):
        raise ModelError(f"engine: must hold exactly {list(ENGINE_KEYS)}")
    values = finite([engine[k] for k in ENGINE_KEYS], "engine", len(ENGINE_KEYS))
    if min(values[:2]) < 0 or values[1] > 1:
        raise ModelError("engine: weights must be >= 0 and about_weight <= 1")
    return CompatModel(
        means=finite(data.get("means"), "means", n),
        scales=scales,
        coef=finite(data.get("coef"), "coef", n),
        intercept=finite([data.get("intercept")], "intercept", 1)[0],
        engine=dict(zip(ENGINE_KEYS, values, strict=True)),
        trained_at=_text(data.get("trained_at"), "trained_at"),
        n_pairs=_count(data.get("n_pairs"), "n_pairs"),
        n_meetups=_count(data.get("n_meetups"), "n_meetups"),
        validation=_dict(data.get("validation"), "validation"),
        adopted=_flag(data.get("adopted"), "adopted"),
        reason=_text(data.get("reason"), "reason"),
        feature_set_version=version,
    )


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ModelError(f"{where}: must be a string")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelError(f"{where}: must be a non-negative integer")
    return value


def _dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ModelError(f"{where}: must be an object")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ModelError(f"{where}: must be true or false")
    return value


__all__ = ["parse_model"]
