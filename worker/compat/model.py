"""Train, validate and store a community's compatibility model (logistic regression).

Method. Each rated pair (features.py, label.py) is one example. `train` holds out the
community's latest meetups (at least HOLDOUT_SHARE of the rated pairs, whole meetups,
never a pair the model trained on), fits a standardised L2 logistic regression on the
earlier meetups, and compares on the held-out pairs:

- ROC AUC of the model's probability (`auc_model`), of the pair weight the engine would
  use with the model (`auc_engine`: its similarity weights and history bonds, terms.py,
  plus the policy bonds the pair had, `Examples.bonds`, default 0) and of the unlearned
  weight (`auc_plain`: interest_sim + ABOUT_WEIGHT x about_sim + the same policy bonds, or
  the caller's own plain weight per example);
- calibration: Brier score of the model vs the training base rate, and a reliability
  table (predicted vs observed "meet again" rate in RELIABILITY_BINS bins).

The model is adopted when the engine part ranks held-out pairs better than the plain
weight by at least ADOPT_MARGIN AUC and the model's Brier score beats the base rate's.
The model returned is then refitted on all rated pairs (validation figures stay those of
the split). Anything else says why not (`TrainingOutcome.reason`).

MIN_RATED_PAIRS = 200: with ten features, the usual rule of thumb for a logistic
regression (>= 10 examples of the rarer outcome per feature) needs about 100 of the rarer
label; "meet again" follows roughly 40-60% of rated pairs, so 200 pairs give that, and
the time split still leaves ~50 held-out pairs with both labels represented. A 120-member
community with weekly meetups reaches it after 3-4 meetups.

Storage is JSON (`to_json` / `from_json`), never pickle: the coefficients, the training
means and scales, the engine terms and the aggregate validation figures. No example,
member or pair is stored, so nothing in a model reveals one member's ratings.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from worker.compat.effects import Effects, describe
from worker.compat.features import (
    FEATURE_SET,
    FEATURE_SET_VERSION,
    HISTORY_FEATURES,
    SIMILARITY_FEATURES,
)
from worker.matching.about import ABOUT_WEIGHT, INTEREST_WEIGHT_MAX

MIN_RATED_PAIRS = 200
HOLDOUT_SHARE = 0.25  # of rated pairs, taken as the latest whole meetups
MIN_HELD_OUT_EACH = 10  # held-out pairs of each label needed to judge the model
ADOPT_MARGIN = 0.01  # AUC the engine part must gain over the plain weight
RELIABILITY_BINS = 5
MIN_BIN_PAIRS = 10  # smaller reliability bins are left out (a bin of one pair is its label)
REGULARISATION_C = 1.0  # scikit-learn's default inverse L2 strength, on standardised features
KIND = "hearth.compat"
COL = {name: k for k, name in enumerate(FEATURE_SET)}


class ModelError(ValueError):
    """A stored model that cannot be used: corrupt, or from another feature set."""


@dataclass(frozen=True)
class Examples:
    """Rated pairs: a sortable meetup key (start time or order), FEATURE_SET rows, 0/1
    labels and, optionally, the caller's unlearned weight of each pair and the policy
    bonds the pair had at the time (which stay in the pair weight with a model too)."""

    meetup: np.ndarray  # (k,)
    features: np.ndarray  # (k, len(FEATURE_SET))
    labels: np.ndarray  # (k,) 0/1
    plain: np.ndarray | None = None  # (k,) default: plain_similarity + bonds
    bonds: np.ndarray | None = None  # (k,) default: 0

    def __post_init__(self) -> None:
        k = len(self.labels)
        if self.features.shape != (k, len(FEATURE_SET)) or len(self.meetup) != k:
            raise ValueError(
                f"examples: features {self.features.shape}, meetups {len(self.meetup)} and "
                f"labels {k} disagree with FEATURE_SET ({len(FEATURE_SET)} columns)"
            )
        for name in ("plain", "bonds"):
            if getattr(self, name) is not None and len(getattr(self, name)) != k:
                raise ValueError(f"examples: {name} must have one value per example")

    def policy_bonds(self) -> np.ndarray:
        """The bonds each pair had at the time (0 when not given)."""
        return np.zeros(len(self.labels)) if self.bonds is None else np.asarray(self.bonds)

    def plain_weight(self) -> np.ndarray:
        """The unlearned weight of each example."""
        if self.plain is not None:
            return np.asarray(self.plain, dtype=float)
        return plain_similarity(self.features) + self.policy_bonds()

    def subset(self, mask: np.ndarray) -> Examples:
        """The examples where ``mask`` holds."""

        def cut(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else np.asarray(values)[mask]

        return Examples(
            self.meetup[mask], self.features[mask], self.labels[mask], cut(self.plain),
            cut(self.bonds),
        )  # fmt: skip


def plain_similarity(features: np.ndarray) -> np.ndarray:
    """The engine's unlearned pair weight without history: sim + ABOUT_WEIGHT * about_sim."""
    return features[:, COL["interest_sim"]] + ABOUT_WEIGHT * features[:, COL["about_sim"]]


@dataclass(frozen=True)
class CompatModel:
    """A fitted model: standardised logistic regression plus its engine terms."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    coef: tuple[float, ...]  # per standardised feature
    intercept: float
    engine: dict[str, float]  # interest_weight, about_weight, bond per unit of each history
    trained_at: str  # ISO 8601
    n_pairs: int
    n_meetups: int
    validation: dict[str, Any] = field(default_factory=dict)
    adopted: bool = False
    reason: str = ""
    feature_set_version: int = FEATURE_SET_VERSION

    @property
    def version(self) -> str:
        """A short id of this fitted model (same parameters, same id; survives JSON)."""
        text = json.dumps([self.coef, self.intercept, self.trained_at, self.feature_set_version])
        return f"{self.feature_set_version}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P("meet again") for FEATURE_SET rows (unknown values filled with training means)."""
        z = _standardise(features, self.means, self.scales) @ np.asarray(self.coef)
        return 1.0 / (1.0 + np.exp(-(z + self.intercept)))

    def raw_coef(self) -> np.ndarray:
        """Coefficients per unit of each raw feature (logit scale)."""
        return np.asarray(self.coef) / np.asarray(self.scales)

    def engine_score(self, features: np.ndarray) -> np.ndarray:
        """The learned pair weight the engine sees (terms.py), for FEATURE_SET rows."""
        score = np.zeros(len(features))
        for name in SIMILARITY_FEATURES:
            score += self.engine[_weight_key(name)] * features[:, COL[name]]
        for name in HISTORY_FEATURES:
            score += self.engine[name] * features[:, COL[name]]
        return score

    def effects(self) -> Effects:
        """The main effects in plain words and the chart's numbers (aggregate only)."""
        return describe(self.coef, self.scales, self.n_pairs)

    def to_json(self) -> str:
        """The model as JSON text (no examples, no member data)."""
        return json.dumps(
            {
                "kind": KIND,
                "feature_set_version": self.feature_set_version,
                "features": list(FEATURE_SET),
                "means": list(self.means),
                "scales": list(self.scales),
                "coef": list(self.coef),
                "intercept": self.intercept,
                "engine": self.engine,
                "trained_at": self.trained_at,
                "n_pairs": self.n_pairs,
                "n_meetups": self.n_meetups,
                "validation": self.validation,
                "adopted": self.adopted,
                "reason": self.reason,
            },
            sort_keys=True,
        )

    @staticmethod
    def from_json(text: str | bytes) -> CompatModel:
        """A model from `to_json` text; `ModelError` saying why when it cannot be used."""
        from worker.compat.stored import parse_model  # noqa: PLC0415 (keeps this module short)

        return parse_model(text)


@dataclass(frozen=True)
class TrainingOutcome:
    """What one training run produced: the model (None below the threshold), whether it
    is adopted into the pair weight, why not otherwise, and the validation figures."""

    model: CompatModel | None
    adopted: bool
    reason: str
    validation: dict[str, Any]


def train(examples: Examples, *, trained_at: datetime | str) -> TrainingOutcome:
    """Fit, time-split validate and (maybe) adopt a model on a community's rated pairs."""
    stamp = trained_at.isoformat() if isinstance(trained_at, datetime) else str(trained_at)
    k = len(examples.labels)
    meetups = np.unique(examples.meetup)
    if k < MIN_RATED_PAIRS:
        return _without(f"{k} rated pairs; a model needs at least {MIN_RATED_PAIRS}")
    held = held_out_mask(examples.meetup)
    if held is None:
        return _without("all rated pairs come from one meetup; nothing to validate on")
    train_part, test_part = examples.subset(~held), examples.subset(held)
    if len(np.unique(train_part.labels)) < 2:
        return _without("the earlier meetups' pairs all have the same label")
    split = _fit(train_part)
    validation = _validate(split, train_part, test_part)
    adopted, reason = _judge(validation)
    final = _fit(examples)
    model = CompatModel(
        **final,
        trained_at=stamp,
        n_pairs=k,
        n_meetups=len(meetups),
        validation=validation,
        adopted=adopted,
        reason=reason,
    )
    return TrainingOutcome(model, adopted, reason, validation)


def held_out_mask(meetup: np.ndarray) -> np.ndarray | None:
    """The latest whole meetups holding at least HOLDOUT_SHARE of the pairs (None if that
    would leave no earlier meetup to train on)."""
    keys, counts = np.unique(meetup, return_counts=True)
    if len(keys) < 2:
        return None
    from_end = np.cumsum(counts[::-1])
    n_held = int(np.searchsorted(from_end, HOLDOUT_SHARE * len(meetup))) + 1
    n_held = min(n_held, len(keys) - 1)
    return np.isin(meetup, keys[len(keys) - n_held :])


def _without(reason: str) -> TrainingOutcome:
    return TrainingOutcome(None, False, reason, {})


def _standardise(features: np.ndarray, means: Any, scales: Any) -> np.ndarray:
    x = np.where(np.isnan(features), np.asarray(means), features)
    return (x - np.asarray(means)) / np.asarray(scales)


def _fit(examples: Examples) -> dict[str, Any]:
    """Coefficients, training means/scales and engine terms fitted on ``examples``."""
    x = examples.features
    known = ~np.isnan(x)
    counts = known.sum(axis=0)
    means = np.where(counts > 0, np.nansum(x, axis=0) / np.maximum(counts, 1), 0.0)
    filled = np.where(known, x, means)
    scales = filled.std(axis=0)
    scales = np.where(scales > 1e-9, scales, 1.0)
    fit = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    fit.fit((filled - means) / scales, examples.labels.astype(int))
    coef = fit.coef_[0]
    engine = _engine_terms(coef / scales, filled)
    return {
        "means": tuple(float(v) for v in means),
        "scales": tuple(float(v) for v in scales),
        "coef": tuple(float(v) for v in coef),
        "intercept": float(fit.intercept_[0]),
        "engine": engine,
    }


def _weight_key(name: str) -> str:
    return {"interest_sim": "interest_weight", "about_sim": "about_weight"}[name]


def _engine_terms(raw: np.ndarray, filled: np.ndarray) -> dict[str, float]:
    """Instance weights and per-unit history bonds in the plain weight's units.

    The learned similarity sum_k max(0, b_k) x_k is scaled so it spreads (standard
    deviation over the training pairs) as widely as the plain interest_sim + about_sim,
    keeping the learned weight in the units the policy bonds and the engine's fixed costs
    were tuned in; history bonds get the same factor. A negative similarity coefficient
    counts as 0 (the engine's weights are non-negative). about_weight is capped at 1 and
    interest_weight at INTEREST_WEIGHT_MAX by scaling everything down together.
    """
    sims = {n: max(0.0, float(raw[COL[n]])) for n in SIMILARITY_FEATURES}
    learned = sum(sims[n] * filled[:, COL[n]] for n in SIMILARITY_FEATURES)
    plain_sd = float(np.std(plain_similarity(filled)))
    history = sum(float(raw[COL[n]]) * filled[:, COL[n]] for n in HISTORY_FEATURES)
    spread = float(np.std(learned)) or float(np.std(history))
    factor = plain_sd / spread if spread > 1e-12 and plain_sd > 1e-12 else 1.0
    caps = (
        factor * sims["about_sim"] / 1.0,
        factor * sims["interest_sim"] / INTEREST_WEIGHT_MAX,
    )
    factor /= max(1.0, *caps)
    terms = {_weight_key(n): factor * sims[n] for n in SIMILARITY_FEATURES}
    terms |= {n: factor * float(raw[COL[n]]) for n in HISTORY_FEATURES}
    return {k: round(v, 6) for k, v in terms.items()}


def _validate(split: dict[str, Any], train_part: Examples, test: Examples) -> dict[str, Any]:
    """Held-out figures of the model fitted on the earlier meetups."""
    model = CompatModel(**split, trained_at="", n_pairs=0, n_meetups=0)
    y = test.labels.astype(int)
    p = model.probability(test.features)
    out: dict[str, Any] = {
        "train_pairs": len(train_part.labels),
        "held_out_pairs": len(y),
        "train_meetups": len(np.unique(train_part.meetup)),
        "held_out_meetups": len(np.unique(test.meetup)),
        "held_out_positive": int(y.sum()),
        "positive_rate": round(float(y.mean()), 4) if len(y) else None,
    }
    if min(int(y.sum()), int(len(y) - y.sum())) < MIN_HELD_OUT_EACH:
        return out | {"auc_model": None, "auc_engine": None, "auc_plain": None}
    base = float(train_part.labels.mean())
    learned = model.engine_score(test.features) + test.policy_bonds()
    out |= {
        "auc_model": round(float(roc_auc_score(y, p)), 4),
        "auc_engine": round(float(roc_auc_score(y, learned)), 4),
        "auc_plain": round(float(roc_auc_score(y, test.plain_weight())), 4),
        "brier_model": round(float(brier_score_loss(y, p)), 4),
        "brier_base": round(float(brier_score_loss(y, np.full(len(y), base))), 4),
        "reliability": reliability(p, y),
    }
    return out


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    """Predicted vs observed rate in equal-width probability bins; bins of fewer than
    MIN_BIN_PAIRS pairs are left out, so no row comes down to a few pairs' labels."""
    edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, RELIABILITY_BINS - 1)
    rows = []
    for b in range(RELIABILITY_BINS):
        inside = which == b
        if inside.sum() >= MIN_BIN_PAIRS:
            rows.append(
                {
                    "from": round(float(edges[b]), 3),
                    "to": round(float(edges[b + 1]), 3),
                    "predicted": round(float(p[inside].mean()), 4),
                    "observed": round(float(y[inside].mean()), 4),
                    "pairs": int(inside.sum()),
                }
            )
    return rows


def _judge(v: dict[str, Any]) -> tuple[bool, str]:
    """Adopted, and why (or why not)."""
    if v.get("auc_engine") is None:
        return False, (
            f"too few held-out pairs of each label to judge the model (needs "
            f"{MIN_HELD_OUT_EACH} with a 'meet again' and {MIN_HELD_OUT_EACH} without)"
        )
    gain = v["auc_engine"] - v["auc_plain"]
    if gain < ADOPT_MARGIN:
        return False, (
            f"on the latest {v['held_out_meetups']} meetups it ranks pairs no better than the "
            f"plain weight (AUC {v['auc_engine']:.3f} vs {v['auc_plain']:.3f}, needs "
            f"+{ADOPT_MARGIN})"
        )
    if not v["brier_model"] < v["brier_base"]:
        return False, (
            f"its probabilities are no better calibrated than the base rate (Brier "
            f"{v['brier_model']:.3f} vs {v['brier_base']:.3f})"
        )
    return True, (
        f"on the latest {v['held_out_meetups']} meetups it ranks pairs better than the plain "
        f"weight (AUC {v['auc_engine']:.3f} vs {v['auc_plain']:.3f})"
    )


def finite(values: Any, where: str, length: int) -> tuple[float, ...]:
    """Check a list of ``length`` finite numbers (for stored models)."""
    if not isinstance(values, list) or len(values) != length:
        raise ModelError(f"{where}: must be a list of {length} numbers")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ModelError(f"{where}: {v!r} is not a finite number")
        out.append(float(v))
    return tuple(out)
