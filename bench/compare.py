"""Peer bench: Hearth against what an organiser would pick instead, on the same instances.

Random grouping (a coffee bot), greedy most-similar grouping and size-constrained k-means
(``k-means-constrained``) run beside Hearth on generator instances with 3 slots. k-means
runs as the package's defaults run it (``kmeans``: best of ``n_init=10`` restarts, the
goal's reference) and with one restart (``kmeans-1``: ten times faster, a little worse),
and both comparisons are printed. Every result is validated (engine checker and the
bench's own) and scored by the same function,
``worker.matching.objective`` (cross-checked against ``bench.features``). Goal (issue 3):
at n = 1,000 and 10,000, Hearth's objective >= 1.12x k-means, and >= 10x faster at 10,000.
A plain sum favours large groups, so the group size distribution is printed too.

    python -m bench compare [--sizes 1000,10000] [--runs 3]
        [--methods random,greedy,kmeans,kmeans-1,hearth]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Any

from bench import baselines, common, features
from bench.generator import generate

GOAL_RATIO, GOAL_SPEEDUP = 1.12, 10.0


def run_method(
    name: str, engine: common.Engine, instance: dict[str, Any], seed: int, opts: dict[str, Any]
) -> tuple[dict[str, Any], float, float]:
    """One run of one method: its result, wall seconds and CPU seconds.

    Hearth is timed around ``solve`` (parsing, search, scores, reasons); the baselines by
    their own ``seconds`` / ``cpu_seconds``, which leave out their scoring and explanations.
    CPU seconds (every method runs on one thread) are what a shared, busy machine distorts
    least; the goal's verdict uses wall seconds.
    """
    if name == "hearth":
        cpu = time.process_time()
        result, wall = common.timed(
            lambda: engine.solve(instance, seed=seed, time_limit=opts["limit"])
        )
        return result, wall, time.process_time() - cpu
    if name in ("kmeans", "kmeans-1"):
        n_init = opts["n_init"] if name == "kmeans" else 1
        result = baselines.kmeans_grouping(instance, seed=seed, n_init=n_init)
    else:
        result = baselines.BASELINES[name](instance, seed=seed)
    return result, float(result["seconds"]), float(result.get("cpu_seconds", float("nan")))


def sizes_text(result: dict[str, Any]) -> str:
    """Group size distribution, e.g. '3:2 4:5 6:160'."""
    counts = Counter(len(g["members"]) for g in result["groups"])
    return " ".join(f"{k}:{counts[k]}" for k in sorted(counts))


def bench_size(
    n: int, methods: list[str], engine: common.Engine, runs: int, seed: int, opts: dict[str, Any]
) -> tuple[list[list[Any]], list[str], dict[str, tuple[float, float, float]]]:
    """All methods at one size: table rows, problems, and (objective, seconds) medians."""
    instance = generate(n, slots=3, seed=seed)
    problems: list[str] = []
    medians: dict[str, tuple[float, float, float]] = {}
    detail: dict[str, tuple[float, str]] = {}
    for name in methods:
        objs, secs, cpus, placed, results = [], [], [], [], []
        for run in range(runs):
            result, wall, cpu = run_method(name, engine, instance, run, opts)
            problems += common.checked(engine, instance, result, f"n={n} {name} run {run}")
            groups = common.group_lists(result)
            obj = engine.objective(instance, groups)
            mine = features.objective(instance, groups)
            if abs(obj - mine) > 1e-6 * max(1.0, abs(mine)):
                problems.append(f"n={n} {name} run {run}: engine objective {obj} != bench {mine}")
            objs.append(obj)
            secs.append(wall)
            cpus.append(cpu)
            placed.append(sum(len(g) for g in groups))
            results.append(result)
            print(
                f"n={n} {name} run {run}: {obj:.1f} in {wall:.2f} s ({cpu:.2f} s CPU)",
                file=sys.stderr,
                flush=True,
            )
        mid = sorted(range(runs), key=lambda r: objs[r])[(runs - 1) // 2]
        medians[name] = (common.median(objs), common.median(secs), common.median(cpus))
        detail[name] = (common.median(placed), sizes_text(results[mid]))
    base = medians.get("kmeans")
    rows = []
    for name in methods:
        obj, sec, cpu = medians[name]
        ratio = obj / base[0] if base else float("nan")
        speed = base[1] / sec if base else float("nan")
        cpu_speed = base[2] / cpu if base else float("nan")
        rows.append(
            [
                n,
                name,
                obj,
                obj / n,
                int(detail[name][0]),
                sec,
                cpu,
                f"{ratio:.3f}x",
                f"{speed:.1f}x",
                f"{cpu_speed:.1f}x",
                detail[name][1],
            ]
        )
    return rows, problems, medians


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print the comparison table with the goals."""
    ap = argparse.ArgumentParser(prog="python -m bench compare", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3, help="seeds per method (default 3)")
    ap.add_argument("--methods", default="random,greedy,kmeans,kmeans-1,hearth")
    ap.add_argument("--instance-seed", type=int, default=0)
    ap.add_argument("--hearth-time-limit", type=float, default=None, help="default: engine's own")
    ap.add_argument(
        "--kmeans-n-init",
        type=int,
        default=baselines.KMEANS_N_INIT,
        help="k-means restarts (package default 10; 1 = faster k-means)",
    )
    ap.add_argument("--engine", default="hearth", choices=["hearth", "random"])
    args = ap.parse_args(argv)
    opts = {"limit": args.hearth_time_limit, "n_init": args.kmeans_n_init}
    engine = common.load_engine(args.engine)
    methods = args.methods.split(",")
    rows, problems, goals = [], [], []
    with common.single_core():
        for n in (int(s) for s in args.sizes.split(",")):
            r, p, med = bench_size(n, methods, engine, args.runs, args.instance_seed, opts)
            rows += r
            problems += p
            if "kmeans" in med and "hearth" in med:
                ratio = med["hearth"][0] / med["kmeans"][0]
                speed = med["kmeans"][1] / med["hearth"][1]
                cpu_speed = med["kmeans"][2] / med["hearth"][2]
                goals.append(
                    f"n={n}: objective {ratio:.3f}x k-means (goal >= {GOAL_RATIO}x: "
                    f"{common.verdict(ratio >= GOAL_RATIO)}), {speed:.1f}x faster "
                    f"({cpu_speed:.1f}x in CPU time)"
                    + (
                        f" (goal >= {GOAL_SPEEDUP:g}x: {common.verdict(speed >= GOAL_SPEEDUP)})"
                        if n >= 10_000
                        else ""
                    )
                )
            if "kmeans-1" in med and "hearth" in med:
                quick = med["kmeans-1"]
                goals.append(
                    f"n={n}: against kmeans-1 (one restart): objective "
                    f"{med['hearth'][0] / quick[0]:.3f}x, {quick[1] / med['hearth'][1]:.1f}x "
                    f"as fast ({quick[2] / med['hearth'][2]:.1f}x in CPU time)"
                )
    print(
        f"\nPeers on generator instances (3 slots, seed {args.instance_seed}), "
        f"engine={engine.name}, "
        f"median of {args.runs} runs, all scored by the engine's objective, "
        f"kmeans: n_init={args.kmeans_n_init} (the goal's reference), kmeans-1: n_init=1\n"
    )
    print(
        common.table(
            [
                "n",
                "method",
                "objective",
                "per member",
                "placed",
                "seconds",
                "CPU s",
                "vs k-means",
                "speed vs k-means",
                "CPU speed",
                "group sizes (size:count)",
            ],
            rows,
        )
    )
    print()
    for g in goals:
        print(g)
    print(f"\n{len(problems)} problem(s) found" + (":" if problems else ""))
    for p in problems[:50]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
