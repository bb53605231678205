"""Run every policy on the same simulated communities and check the issue's goal.

Goal (issue 7): the default policy ("balanced", welcome off, the product's default) has
the highest share of members with a strong tie, at least GOAL_VS_RANDOM x random's and
GOAL_VS_AVOID x avoid-repeats', and leaves first-timers and high-loneliness members no
worse off than random (share with a strong tie, and share who never had a good meetup).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from bench.simulation.community import generate_community
from bench.simulation.formats import V1, Format
from bench.simulation.policies import POLICIES, Constants, Policy
from bench.simulation.report import GROUPS, Outcome, mean_outcome, outcome
from bench.simulation.rounds import simulate

log = logging.getLogger(__name__)

DEFAULT_NAME = "balanced"
GOAL_VS_RANDOM = 2.0
GOAL_VS_AVOID = 1.3
EPSILON = 1e-9  # equal shares averaged in another order are "no worse", not a miss


@dataclass(frozen=True)
class Comparison:
    """Mean outcomes per policy name, and how long the run took."""

    results: dict[str, Outcome]
    seconds: float
    per_seed: dict[str, list[Outcome]] = field(default_factory=dict)


def compare(
    members: int,
    rounds: int,
    seeds: list[int],
    constants: Constants,
    policies: list[Policy] | None = None,
    formats: tuple[Format, ...] = (V1,),
    world: bool = False,
) -> Comparison:
    """Every policy on each seed's community; outcomes averaged over seeds. With several
    ``formats`` each policy runs once per format, named "policy / format"; ``world``
    simulates the v2 world (`world.py`)."""
    start = time.perf_counter()
    chosen = policies if policies is not None else POLICIES
    runs = [
        (p, f, p.name if len(formats) == 1 else f"{p.name} / {f.name}")
        for p in chosen
        for f in formats
    ]
    per_policy: dict[str, list[Outcome]] = {name: [] for _, _, name in runs}
    for seed in seeds:
        community = generate_community(members, rounds, seed, world=world)
        for policy, fmt, name in runs:
            history, series = simulate(community, policy, constants, fmt)
            per_policy[name].append(outcome(history, series))
    results = {name: mean_outcome(outs) for name, outs in per_policy.items()}
    return Comparison(results, time.perf_counter() - start, per_policy)


def seed_line(per_seed: dict[str, list[Outcome]]) -> str:
    """On how many seeds the default has the highest strong-tie share (a draw is not a
    win), with the default's and the best other policy's share on each seed."""
    tie = {n: [o.figures["all"]["tie"] for o in outs] for n, outs in per_seed.items()}
    own = tie[DEFAULT_NAME]
    best_other = [max(t[k] for n, t in tie.items() if n != DEFAULT_NAME) for k in range(len(own))]
    wins = sum(o > b for o, b in zip(own, best_other, strict=True))
    pairs = ", ".join(f"{o:.3f}/{b:.3f}" for o, b in zip(own, best_other, strict=True))
    return (
        f"{DEFAULT_NAME} has the highest strong-tie share on {wins} of {len(own)} seeds "
        f"({DEFAULT_NAME}/best other per seed: {pairs})"
    )


def goal_lines(results: dict[str, Outcome]) -> list[str]:
    """One line per goal: the measured figures and 'met' or 'MISSED'."""
    tie = {name: o.figures["all"]["tie"] for name, o in results.items()}
    default = tie[DEFAULT_NAME]
    others = {n: t for n, t in tie.items() if n != DEFAULT_NAME}
    runner_up = max(others, key=lambda n: others[n])
    lines = [
        _line(
            f"{DEFAULT_NAME} best on strong-tie share: {default:.4f} vs next best "
            f"{runner_up} {others[runner_up]:.4f}",
            default > others[runner_up],
        )
    ]
    for base, factor in (("random", GOAL_VS_RANDOM), ("avoid repeats", GOAL_VS_AVOID)):
        ratio = default / tie[base] if tie[base] else float("inf")
        lines.append(
            _line(f"{DEFAULT_NAME} / {base} = {ratio:.2f}x (goal >= {factor}x)", ratio >= factor)
        )
    rnd, dflt = results["random"].figures, results[DEFAULT_NAME].figures
    for g in GROUPS[1:]:
        ok = (
            dflt[g]["tie"] >= rnd[g]["tie"] - EPSILON
            and dflt[g]["never good"] <= rnd[g]["never good"] + EPSILON
        )
        lines.append(
            _line(
                f"{g}: tie {dflt[g]['tie']:.3f} vs random {rnd[g]['tie']:.3f}, never good "
                f"{dflt[g]['never good']:.3f} vs random {rnd[g]['never good']:.3f}",
                ok,
            )
        )
    return lines


def _line(text: str, ok: bool) -> str:
    return f"{'met   ' if ok else 'MISSED'} {text}"
