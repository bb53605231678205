"""`hearth match INSTANCE.json [-o RESULT.json] [--seed N] [--time-limit S]`.

Runs the engine on a JSON instance file without a database and writes the JSON result
to stdout or a file. Bad input exits with status 2 and `error: <field>: <message>`.
On a terminal a progress bar (phase, best score so far) is drawn on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from worker.matching.fields import InstanceError
from worker.matching.solver import solve
from worker.progress_bar import ProgressBar


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `hearth match`."""
    parser = argparse.ArgumentParser(
        prog="hearth match", description="Match members into small groups (JSON in, JSON out)."
    )
    parser.add_argument("instance", type=Path, help="instance JSON file")
    parser.add_argument("-o", "--output", type=Path, help="write the result here, not stdout")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="search for this many seconds (default: a deterministic budget scaled with size)",
    )
    return parser


def run(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status (0 ok, 2 bad input)."""
    args = build_parser().parse_args(argv)
    if args.time_limit is not None and not args.time_limit >= 0:
        return _fail("--time-limit: must be a non-negative number of seconds")
    try:
        text = args.instance.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"{args.instance}: cannot read instance file ({error})")
    try:
        instance = json.loads(text)
    except json.JSONDecodeError as error:
        return _fail(f"{args.instance}: invalid JSON ({error})")
    bar = ProgressBar("matching", args.time_limit)

    def report(phase: str, score: float, seconds: float) -> None:
        bar.update(seconds, f"{phase}, best score {score:.2f}, {seconds:.1f} s")

    try:
        result = solve(
            instance,
            seed=args.seed,
            time_limit=args.time_limit,
            progress=report if bar.enabled else None,
        )
    except InstanceError as error:
        bar.close()
        return _fail(str(error))
    bar.close(f"done: {result['placed']} placed, score {result['objective']:.2f}")
    output = json.dumps(result, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(output)
        return 0
    try:
        args.output.write_text(output, encoding="utf-8")
    except OSError as error:
        return _fail(f"{args.output}: cannot write result ({error})")
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(run())
