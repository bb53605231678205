"""The model's main effects in plain words, and the numbers for a chart.

Each feature's effect is its odds ratio per typical step (one standard deviation over
the community's rated pairs): how much likelier a "meet again" is for pairs one step
higher on it, all else equal. Only the fitted coefficients and spreads go in, never an
example, so nothing here can reveal one member's ratings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from worker.compat.features import FEATURE_SET

#: plain names and the unit of one step, per feature
LABELS = {
    "interest_sim": ("Shared interests", "interest similarity"),
    "about_sim": ("Similar 'about me' texts", "text similarity"),
    "shared_languages": ("Languages in common", "languages"),
    "distance_km": ("Living further apart", "km"),
    "availability_overlap": ("Overlapping free times", "overlap"),
    "group_size": ("Meeting in a bigger group", "members"),
    "membership_weeks_min": ("Longer membership (of the newer member)", "weeks"),
    "met_before": ("Having been grouped before", "meetups"),
    "again_before": ("An earlier 'meet again' between them", "ratings"),
    "not_for_me_before": ("An earlier 'not for me' between them", "ratings"),
}
SMALL = 1.05  # odds ratios within [1/SMALL, SMALL] count as "little effect"
NAMED = 3  # effects described in sentences


@dataclass(frozen=True)
class Effect:
    """One feature's aggregate effect (for the chart)."""

    feature: str
    label: str
    odds_ratio: float  # per typical step
    step: float  # one standard deviation, in `unit`
    unit: str


@dataclass(frozen=True)
class Effects:
    """Sentences for the organizer view and the chart's bars, strongest first."""

    sentences: list[str]
    chart: list[Effect]


def describe(coef: Sequence[float], scales: Sequence[float], n_pairs: int) -> Effects:
    """Effects from standardised coefficients and feature spreads."""
    chart = [
        Effect(name, LABELS[name][0], round(math.exp(c), 3), round(s, 3), LABELS[name][1])
        for name, c, s in zip(FEATURE_SET, coef, scales, strict=True)
    ]
    chart.sort(key=lambda e: -abs(math.log(e.odds_ratio)))
    strong = [e for e in chart if not 1 / SMALL <= e.odds_ratio <= SMALL][:NAMED]
    sentences = []
    for k, e in enumerate(strong):
        lead = f"{e.label} matter most" if k == 0 else e.label
        if e.label.startswith(("An ", "Having", "Living", "Meeting", "Longer")) and k == 0:
            lead = f"{e.label} matters most"
        way = "more" if e.odds_ratio > 1 else "less"
        factor = e.odds_ratio if e.odds_ratio > 1 else 1 / e.odds_ratio
        sentences.append(
            f"{lead}: one typical step ({e.step:g} {e.unit}) makes a 'meet again' "
            f"{factor:.2f}x {way} likely (odds)."
        )
    if not strong:
        sentences.append("No pair feature changes the chance of a 'meet again' much here.")
    sentences.append(f"Learned from {n_pairs} rated pairs; no single member's answers are shown.")
    return Effects(sentences, chart)
