"""``python -m bench.simulation [--members N] [--rounds R] [--seeds 1,2,3] [--set NAME=VALUE]``.

Prints the comparison table and the issue's goals (met / MISSED), and writes the SVG
chart of the share of members with a strong tie per round and policy. ``--measured``
compares instance format v1 and v2 on the same v2-world people instead (issue 14:
languages, places, about texts; `measured.py`), ``--about-weight W`` passes that blend
weight in the v2 instances, and ``--sweep-about 0,0.15,0.3`` runs v2 with each weight.
``--set`` overrides one of the product's constants for this run only (e.g.
``--set balanced.per_meeting=-0.1``), to show what a proposed value would do before anyone
changes webapp/services/matching.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.simulation.measured import measure, measured_goals, measured_table, sweep
from bench.simulation.plot import write_chart
from bench.simulation.policies import POLICIES, Constants, Policy, with_overrides
from bench.simulation.report import table
from bench.simulation.runner import DEFAULT_NAME, compare, goal_lines, seed_line

DEFAULT_PLOT = Path("bench/results/simulation.svg")


def build_parser() -> argparse.ArgumentParser:
    """Options of the simulation bench."""
    parser = argparse.ArgumentParser(prog="python -m bench.simulation", description=__doc__)
    parser.add_argument("--members", type=int, default=120, help="founding members (default 120)")
    parser.add_argument("--rounds", type=int, default=12, help="weekly rounds (default 12)")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="SVG chart path")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
        help="override a product constant, e.g. balanced.mutual_again=1.5 or welcome_bond=2",
    )  # fmt: skip
    parser.add_argument(
        "--policies", default="", help="comma-separated policy names (default: all)"
    )
    parser.add_argument(
        "--measured", action="store_true",
        help="format v1 vs v2 on the v2 world (languages, places, about texts), issue 14",
    )  # fmt: skip
    parser.add_argument(
        "--about-weight", type=float, default=None,
        help="about_weight passed in v2 instances (default: the engine's)",
    )  # fmt: skip
    parser.add_argument(
        "--learned", action="store_true",
        help="issue 15: the policy (default balanced) with and without learned weights "
        "switched on after round 4, on the v2 world",
    )  # fmt: skip
    parser.add_argument(
        "--learned-always", action="store_true",
        help="with --learned: use the learned terms whenever a model is trained, even when "
        "it is not adopted (a diagnostic)",
    )  # fmt: skip
    parser.add_argument(
        "--ceiling", action="store_true",
        help="diagnostic: the policy (default balanced, v2 world) told the hidden truth "
        "instead of the declared similarity, as bounds for issues 14 and 15",
    )  # fmt: skip
    parser.add_argument(
        "--sweep-about", default="", metavar="W,W,...",
        help="run v2 with each about_weight and name the best (default policy: balanced)",
    )  # fmt: skip
    return parser


def run(
    members: int, rounds: int, seeds: list[int], overrides: list[str], plot: Path,
    policy_names: list[str] | None = None, *, measured: bool = False,
    about_weight: float | None = None, sweep_about: list[float] | None = None,
    learned: bool = False, learned_always: bool = False, ceiling: bool = False,
) -> str:  # fmt: skip
    """Run the comparison (or, with ``measured`` / ``sweep_about``, the format v1 vs v2
    comparison / the about-weight sweep); returns the printable report."""
    if members < 10 or rounds < 2 or not seeds:
        raise ValueError("need at least 10 members, 2 rounds and one seed")
    constants = with_overrides(Constants(), overrides)
    chosen = _policies(policy_names)
    if learned:
        from bench.simulation.learned import report  # noqa: PLC0415 (trains models)

        base = chosen[0] if policy_names else _policies([DEFAULT_NAME])[0]
        return report(
            members, rounds, seeds, constants, base, "always" if learned_always else "adopted"
        )
    if ceiling:
        from bench.simulation.ceiling import ceiling_report  # noqa: PLC0415 (a cycle)

        base = chosen[0] if policy_names else _policies([DEFAULT_NAME])[0]
        return ceiling_report(members, rounds, seeds, constants, base)
    if sweep_about:
        if not policy_names:
            chosen = _policies([DEFAULT_NAME])
        return _sweep_report(members, rounds, seeds, constants, chosen, sweep_about)
    if measured:
        return _measured_report(members, rounds, seeds, constants, chosen, about_weight, plot)
    result = compare(members, rounds, seeds, constants, chosen)
    title = f"Share with a strong tie, {members} members, seeds {','.join(map(str, seeds))}"
    path = write_chart(result.results, plot, title)
    settings = ", ".join(overrides) if overrides else "the product's constants"
    lines = [
        f"Community simulation: {members} founding members (+ newcomers), {rounds} weekly "
        f"rounds, seeds {seeds}, {settings}; mean over seeds.",
        "tie = share with >= 1 strong tie (a pair who met >= 3 times with a good experience), "
        "ties/m = strong ties per member, never = share who never had a good meetup, "
        "kept = still in the community at the end.",
        "",
        table(result.results),
        "",
    ]
    if {"random", "avoid repeats", DEFAULT_NAME} <= result.results.keys():
        lines += goal_lines(result.results)
        lines.append(f"       {seed_line(result.per_seed)}")
    lines += [f"plot: {path}", f"took {result.seconds:.0f} s"]
    return "\n".join(lines)


def _policies(names: list[str] | None) -> list[Policy]:
    """The named policies (all when none are named); unknown names are an error."""
    if not names:
        return POLICIES
    known = {p.name: p for p in POLICIES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown policies {unknown}; known: {sorted(known)}")
    return [known[n] for n in names]


def _measured_report(
    members: int, rounds: int, seeds: list[int], constants: Constants, chosen: list[Policy],
    about_weight: float | None, plot: Path,
) -> str:  # fmt: skip
    """Issue 14's table (v1 vs v2 per policy on the v2 world), goals and chart."""
    if about_weight is not None and not 0 <= about_weight <= 1:
        raise ValueError("--about-weight must lie in [0, 1]")
    result = measure(members, rounds, seeds, constants, chosen, about_weight)
    series = {
        f"{n} {f}": o for f, part in (("v1", result.v1), ("v2", result.v2)) for n, o in part.items()
    }
    path = write_chart(
        series, plot, f"Strong ties, format v1 vs v2, {members} members, seeds {seeds}"
    )
    return "\n".join(
        [
            f"Format v1 vs v2 on the v2 world: {members} founding members (+ newcomers), "
            f"{rounds} weekly rounds, seeds {seeds}; mean over seeds. Same people and chance "
            "events for both; v1 passes interests, availability, priority, bonds and blocks, "
            "v2 also languages, about, location/max_km, slot venues and preferred_size.",
            "tie = share with >= 1 strong tie, never = share who never had a good meetup, "
            "left = share who left, nolang = members ever placed in a group with no common "
            "language (mean per seed), alone = share of placements whose best groupmate has "
            "a negative TRUE compatibility (the hidden truth, not the declared weight), "
            "pair = mean true compatibility of the pairs placed together.",
            "",
            measured_table(result),
            "",
            *measured_goals(result),
            f"plot: {path}",
            f"took {result.seconds:.0f} s",
        ]
    )


def _sweep_report(
    members: int, rounds: int, seeds: list[int], constants: Constants, chosen: list[Policy],
    weights: list[float],
) -> str:  # fmt: skip
    """The about_weight sweep's table and winner."""
    if any(not 0 <= w <= 1 for w in weights):
        raise ValueError("--sweep-about weights must lie in [0, 1]")
    text, _ = sweep(members, rounds, seeds, constants, chosen, weights)
    return (
        f"about_weight sweep, format v2 on the v2 world: {members} founding members, {rounds} "
        f"rounds, seeds {seeds}; tie / never good / alone (true compatibility) / pair (mean "
        f"true compatibility of pairs placed together), mean over seeds.\n\n{text}"
    )


def _floats(text: str) -> list[float]:
    return [float(w) for w in text.split(",") if w.strip()]


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit status 2 on bad options."""
    args = build_parser().parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        names = [n.strip() for n in args.policies.split(",") if n.strip()]
        report = run(
            args.members, args.rounds, seeds, args.overrides, args.plot, names,
            measured=args.measured, about_weight=args.about_weight,
            sweep_about=_floats(args.sweep_about), learned=args.learned,
            learned_always=args.learned_always, ceiling=args.ceiling,
        )  # fmt: skip
        print(report)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
