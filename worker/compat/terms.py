"""How an adopted model changes the engine's pair weight, in the instance format (v2).

Without a model the engine weighs w = sim + about_weight * about_sim + bonds. With one:

    w = interest_weight * sim + about_weight * about_sim + bonds + learned bonds

- `interest_weight` and `about_weight` are the model's similarity coefficients in the
  plain weight's units (model.py `_engine_terms`); they are instance fields, so the
  engine still factorises the weight into feature rows (rows scaled by their square
  roots) and a 10,000-member instance costs what it did.
- learned bonds: for each pair with history, met_before x b_met + again_before x b_again
  + not_for_me_before x b_nfm (the model's history coefficients in the same units), added
  to the policy's bonds (`merge_terms` adds them to the pair's existing entry).

The context features (languages, distance, free times, group size, membership age) do
not factorise into member rows; they are in the model but not in the engine's weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worker.compat.features import HISTORY_FEATURES
from worker.compat.model import CompatModel

BOND_DIGITS = 6


def instance_terms(
    model: CompatModel | None,
    history: Mapping[tuple[str, str], Mapping[str, int]] | None = None,
    *,
    require_adopted: bool = True,
) -> dict[str, Any]:
    """Instance fields for ``model``: {} without a (adopted) model.

    ``history`` maps a pair of member ids to its counts before this meetup, keys of
    HISTORY_FEATURES (met_before, again_before, not_for_me_before; missing keys are 0).
    """
    if model is None or (require_adopted and not model.adopted):
        return {}
    pairs = []
    for (a, b), counts in sorted((history or {}).items()):
        bond = sum(model.engine[name] * counts.get(name, 0) for name in HISTORY_FEATURES)
        bond = round(bond, BOND_DIGITS)
        if bond:
            pairs.append({"a": a, "b": b, "bond": bond})
    return {
        "version": 2,
        "interest_weight": model.engine["interest_weight"],
        "about_weight": model.engine["about_weight"],
        "pairs": pairs,
    }


def merge_terms(instance: dict[str, Any], terms: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``instance`` with ``terms`` merged: weights set, each learned bond added
    to the pair's first existing `pairs` entry (or appended), so the instance grows only
    by pairs the policy gave no bond; bonds add up in the format either way."""
    if not terms:
        return instance
    merged = dict(instance)
    for key in ("version", "interest_weight", "about_weight"):
        merged[key] = terms[key]
    ids = {m["id"] for m in instance["members"]}
    pairs = [dict(p) for p in instance.get("pairs") or []]
    first = {}
    for k, p in enumerate(pairs):
        first.setdefault(frozenset((p["a"], p["b"])), k)
    for p in terms["pairs"]:
        if p["a"] not in ids or p["b"] not in ids:
            continue
        k = first.get(frozenset((p["a"], p["b"])))
        if k is None:
            pairs.append(dict(p))
        else:
            pairs[k]["bond"] = round(pairs[k].get("bond", 0.0) + p["bond"], BOND_DIGITS)
    merged["pairs"] = pairs
    return merged
