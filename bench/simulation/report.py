"""Outcome figures per policy (everyone, first-timers, high loneliness) and the text table.

Figures are over every member who joined during the run (the same people for every
policy, since arrivals do not depend on the policy), averaged over seeds:
- "tie": share with at least one strong tie after the last round;
- "ties/m": strong ties per member;
- "never good": share who never had a good meetup (including those never placed);
- "kept": retention, the share still in the community after the last round.
First-timers are members who joined after the first round; high loneliness is a starting
loneliness score >= HIGH_LONELINESS.
Extra figures (`EXTRA`, for the format comparison): "left" (share of those who joined who
left), "no common language" (members ever placed in a group with no language all its
members speak) and "alone" (share of placements whose best groupmate has a negative true
compatibility: the hidden truth, not the engine's declared weight) and "pair compatibility"
(mean true compatibility of the pairs placed together: how well the grouping itself read
the hidden truth, much less noisy than the ties that follow from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bench.simulation.community import HIGH_LONELINESS
from bench.simulation.history import History

GROUPS = ("all", "first-timers", "high loneliness")
FIGURES = ("tie", "ties/m", "never good", "kept")
EXTRA = ("left", "no common language", "alone", "pair compatibility")


@dataclass(frozen=True)
class Outcome:
    """One policy on one seed: figures per member group, and the strong-tie share per round."""

    figures: dict[str, dict[str, float]]
    series: list[float]
    extra: dict[str, float] = field(default_factory=dict)


def outcome(history: History, series: list[float]) -> Outcome:
    """Figures for everyone, first-timers and high-loneliness members."""
    c = history.community
    joined = history.joined(c.rounds)
    masks = {
        "all": joined,
        "first-timers": joined & (c.join_round > 1),
        "high loneliness": joined & (c.loneliness >= HIGH_LONELINESS),
    }
    ties = history.strong_ties()
    figures = {}
    for name, mask in masks.items():
        figures[name] = (
            {
                "tie": float((ties[mask] > 0).mean()),
                "ties/m": float(ties[mask].mean()),
                "never good": float((~history.had_good_meetup[mask]).mean()),
                "kept": float(history.active[mask].mean()),
            }
            if mask.any()
            else dict.fromkeys(FIGURES, float("nan"))
        )
    extra = {
        "left": float(history.left[joined].mean()),
        "no common language": float(len(history.no_common_language)),
        "alone": history.alone / history.placements if history.placements else 0.0,
        "pair compatibility": history.pair_compatibility / history.pairs if history.pairs else 0.0,
    }
    return Outcome(figures, series, extra)


def mean_outcome(outcomes: list[Outcome]) -> Outcome:
    """The average over seeds."""
    figures = {
        g: {f: float(np.nanmean([o.figures[g][f] for o in outcomes])) for f in FIGURES}
        for g in GROUPS
    }
    series = np.mean([o.series for o in outcomes], axis=0).tolist()
    keys = set.intersection(*(set(o.extra) for o in outcomes))
    extra = {k: float(np.mean([o.extra[k] for o in outcomes])) for k in EXTRA if k in keys}
    return Outcome(figures, series, extra)


def table(results: dict[str, Outcome]) -> str:
    """The comparison table: one row per policy, a column block per member group."""
    head = f"{'policy':<22}" + "".join(f"| {g:<27}" for g in GROUPS)
    sub = f"{'':<22}" + "| tie   ties/m never  kept   " * len(GROUPS)
    lines = [head, sub, "-" * len(sub)]
    for name, o in results.items():
        cells = "".join(
            "| {:5.3f} {:5.2f}  {:5.3f}  {:5.3f}  ".format(*(o.figures[g][f] for f in FIGURES))
            for g in GROUPS
        )
        lines.append(f"{name:<22}{cells}")
    return "\n".join(lines)
