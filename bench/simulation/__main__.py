"""``python -m bench.simulation [--members N] [--rounds R] [--seeds 1,2,3] [--set NAME=VALUE]``.

Prints the comparison table and the issue's goals (met / MISSED), and writes the SVG
chart of the share of members with a strong tie per round and policy. ``--set`` overrides
one of the product's constants for this run only (e.g. ``--set balanced.per_meeting=-0.1``),
to show what a proposed value would do before anyone changes webapp/services/matching.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.simulation.plot import write_chart
from bench.simulation.policies import POLICIES, Constants, with_overrides
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
    return parser


def run(
    members: int, rounds: int, seeds: list[int], overrides: list[str], plot: Path,
    policy_names: list[str] | None = None,
) -> str:  # fmt: skip
    """Run the comparison; returns the printable report (table, goals, plot path)."""
    if members < 10 or rounds < 2 or not seeds:
        raise ValueError("need at least 10 members, 2 rounds and one seed")
    constants = with_overrides(Constants(), overrides)
    chosen = POLICIES
    if policy_names:
        known = {p.name: p for p in POLICIES}
        unknown = [n for n in policy_names if n not in known]
        if unknown:
            raise ValueError(f"unknown policies {unknown}; known: {sorted(known)}")
        chosen = [known[n] for n in policy_names]
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


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit status 2 on bad options."""
    args = build_parser().parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        names = [n.strip() for n in args.policies.split(",") if n.strip()]
        print(run(args.members, args.rounds, seeds, args.overrides, args.plot, names))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
