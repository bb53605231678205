"""MDGPLIB bench: Hearth's optimiser core against the literature's best (TPSDP, 2022).

Loads the 30 maximally-diverse-grouping instances of ../shared/benchmarks/mdgplib into the
matching format (explicit weights, fixed number of groups), runs the engine at TPSDP's time
budget (3 s for n = 120, 20 s for n = 240, one core) over several seeds, checks every result,
recomputes its objective from the file's own pair values, and prints the gaps to TPSDP's
best and average. Goal (issue 3): mean gap to best <= 0.3% at n = 120 and <= 0.5% at
n = 240; stretch: TPSDP's own average (its mean gap to best, about 0.15%).

    python -m bench mdgplib [--instances 'RanReal_n120*'] [--runs 3] [--time-scale 0.1]
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "mdgplib"
TIME_LIMITS = {120: 3.0, 240: 20.0}
GOALS = {120: 0.3, 240: 0.5}


@dataclass(frozen=True)
class MdgpInstance:
    """One parsed MDGPLIB file: its name, the dense weight matrix and the group bounds."""

    name: str
    n: int
    num_groups: int
    size_min: int
    size_max: int
    weights: np.ndarray


def parse(path: Path) -> MdgpInstance:
    """Parse an MDGPLIB file (``n G ss lo_1 hi_1 ...`` then ``i j d_ij`` lines)."""
    with path.open() as fh:
        head = fh.readline().split()
        n, g = int(head[0]), int(head[1])
        bounds = [int(b) for b in head[3 : 3 + 2 * g]]
        if len(bounds) != 2 * g:
            raise ValueError(f"{path.name}: expected {2 * g} group bounds, got {len(bounds)}")
        lows, highs = bounds[0::2], bounds[1::2]
        if len(set(lows)) != 1 or len(set(highs)) != 1:
            raise ValueError(f"{path.name}: per-group bounds differ; the format has one range")
        pairs = np.loadtxt(fh, ndmin=2)
    w = np.zeros((n, n))
    i, j = pairs[:, 0].astype(int), pairs[:, 1].astype(int)
    w[i, j] = pairs[:, 2]
    w[j, i] = pairs[:, 2]
    return MdgpInstance(path.stem, n, g, lows[0], highs[0], w)


def to_instance(mdgp: MdgpInstance) -> dict[str, Any]:
    """The matching-format instance: members m0..m{n-1}, explicit weights, num_groups."""
    iu, ju = np.triu_indices(mdgp.n, k=1)
    vals = mdgp.weights[iu, ju]
    return {
        "group_size": {"min": mdgp.size_min, "max": mdgp.size_max},
        "num_groups": mdgp.num_groups,
        "members": [{"id": f"m{k}"} for k in range(mdgp.n)],
        "weights": [[int(a), int(b), float(v)] for a, b, v in zip(iu, ju, vals, strict=True)],
    }


def file_objective(mdgp: MdgpInstance, groups: list[list[str]]) -> float:
    """Sum of the file's pair values inside the groups, straight from the matrix."""
    total = 0.0
    for g in groups:
        rows = [int(m[1:]) for m in g]
        total += float(mdgp.weights[np.ix_(rows, rows)].sum()) / 2.0
    return total


def best_known(path: Path = DATA_DIR / "best-known.tsv") -> dict[str, tuple[float, float]]:
    """TPSDP's published (best, avg) per instance."""
    with path.open() as fh:
        return {
            r["instance"]: (float(r["best"]), float(r["avg"]))
            for r in csv.DictReader(fh, delimiter="\t")
        }


def gap(reference: float, value: float) -> float:
    """Percent below the reference (positive = worse than the reference)."""
    return 100.0 * (reference - value) / reference


def run_instance(
    engine: common.Engine, path: Path, runs: int, time_scale: float
) -> tuple[MdgpInstance, list[float], list[float], list[str]]:
    """Solve one file ``runs`` times; return objectives, seconds and any problems found."""
    mdgp = parse(path)
    instance = to_instance(mdgp)
    limit = TIME_LIMITS.get(mdgp.n, 3.0) * time_scale
    objs, secs, problems = [], [], []
    for seed in range(runs):
        result, wall = common.timed(lambda s=seed: engine.solve(instance, seed=s, time_limit=limit))
        problems += common.checked(engine, instance, result, f"{mdgp.name} seed {seed}")
        groups = common.group_lists(result)
        ours = file_objective(mdgp, groups)
        for label, claimed in (
            ("result.objective", result.get("objective")),
            ("engine objective()", engine.objective(instance, groups)),
        ):
            if claimed is None or abs(claimed - ours) > 1e-6 * max(1.0, abs(ours)):
                problems.append(f"{mdgp.name} seed {seed}: {label} {claimed} != file {ours}")
        objs.append(ours)
        secs.append(wall)
    return mdgp, objs, secs, problems


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print the per-instance and per-size tables."""
    ap = argparse.ArgumentParser(prog="python -m bench mdgplib", description=__doc__.split("\n")[0])
    ap.add_argument("--instances", default="*", help="glob on instance names, e.g. 'Geo_n120*'")
    ap.add_argument("--runs", type=int, default=3, help="seeds per instance (default 3)")
    ap.add_argument("--time-scale", type=float, default=1.0, help="multiply the time limits")
    ap.add_argument("--engine", default="hearth", choices=["hearth", "random"])
    args = ap.parse_args(argv)
    engine = common.load_engine(args.engine)
    known = best_known()
    paths = sorted(p for p in DATA_DIR.glob("*.txt") if fnmatch.fnmatch(p.stem, args.instances))
    if not paths:
        raise SystemExit(f"no instance matches {args.instances!r} in {DATA_DIR}")
    rows, by_size, problems = [], {}, []
    with common.single_core():
        for path in paths:
            mdgp, objs, secs, probs = run_instance(engine, path, args.runs, args.time_scale)
            problems += probs
            best, avg = known[mdgp.name]
            med = common.median(objs)
            g_best, g_avg = gap(best, med), gap(avg, med)
            by_size.setdefault(mdgp.n, []).append((g_best, g_avg, gap(best, avg), max(secs)))
            rows.append(
                [
                    mdgp.name,
                    max(objs),
                    med,
                    best,
                    avg,
                    f"{g_best:.3f}%",
                    f"{g_avg:.3f}%",
                    f"{gap(best, max(objs)):.3f}%",
                    f"{max(secs):.2f}",
                ]
            )
            print(
                f"{mdgp.name}: median {med:.3f}, gap to best {g_best:.3f}%, max {max(secs):.2f} s",
                file=sys.stderr,
                flush=True,
            )
    print(f"\nMDGPLIB, engine={engine.name}, runs={args.runs}, time scale={args.time_scale}")
    print("gaps use the median run; positive = below TPSDP\n")
    print(
        common.table(
            [
                "instance",
                "best",
                "median",
                "TPSDP best",
                "TPSDP avg",
                "gap best",
                "gap avg",
                "best-run gap",
                "max s",
            ],
            rows,
        )
    )
    summary = []
    for n, vals in sorted(by_size.items()):
        mean_best = float(np.mean([v[0] for v in vals]))
        mean_avg = float(np.mean([v[1] for v in vals]))
        stretch = float(np.mean([v[2] for v in vals]))
        goal = GOALS.get(n, 0.3)
        summary.append(
            [
                n,
                len(vals),
                f"{TIME_LIMITS.get(n, 3.0) * args.time_scale:g}",
                f"{mean_best:.3f}%",
                f"<= {goal}%",
                common.verdict(mean_best <= goal),
                f"{mean_avg:.3f}%",
                f"{stretch:.3f}%",
                common.verdict(mean_best <= stretch),
            ]
        )
    print()
    print(
        common.table(
            [
                "n",
                "instances",
                "limit s",
                "mean gap best",
                "goal",
                "goal",
                "mean gap avg",
                "stretch (TPSDP avg gap)",
                "stretch",
            ],
            summary,
        )
    )
    if args.time_scale != 1.0:
        print(f"\nNOTE: time limits scaled by {args.time_scale}; goals apply at scale 1.")
    print(f"\n{len(problems)} problem(s) found" + (":" if problems else ""))
    for p in problems[:50]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
