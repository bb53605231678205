"""Check that two engine versions give the same groups on the benchmark instances.

A change meant to leave format-v1 instances alone (issue 14's v2 rules, for one) must not
move the MDGPLIB, exact-optimum or scale figures. Timed benchmarks on a shared machine
only say "within noise"; this says "identical": it solves MDGPLIB n = 120 files, exact-
optimum instances (with and without slots) and a 2,000-member generator instance in the
deterministic mode (no time limit) with the engine of another checkout and with this one,
and compares groups and objectives, with CPU seconds beside them.

    git worktree add /tmp/old REV
    python -m bench.same_results /tmp/old
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench import generator, mdgplib, optimality

ROOT = Path(__file__).resolve().parent.parent


def cases() -> list[tuple[str, dict]]:
    """The instances compared, by name."""
    files = sorted(mdgplib.DATA_DIR.glob("*_n120_*.txt"))[:6]
    out = [(f.name, mdgplib.to_instance(mdgplib.parse(f))) for f in files]
    for n, lo, hi in [(20, 3, 4), (40, 3, 4), (24, 3, 6)]:
        out += [
            (f"core-{n}-{lo}{hi}-{s}", optimality.make_instance("core", n, lo, hi, s))
            for s in range(3)
        ]
    out += [(f"slots-{n}", optimality.make_instance("slots", n, 3, 4, 1)) for n in (24, 40)]
    out.append(("generator-2000", generator.generate(2000, seed=0, slots=3)))
    return out


def solve_all(engine_root: str) -> dict[str, dict]:
    """Solve every case with the engine package found under `engine_root`."""
    sys.path.insert(0, engine_root)
    import worker.matching as engine

    assert Path(engine.__file__).is_relative_to(engine_root), engine.__file__
    results = {}
    for name, instance in cases():
        started = time.process_time()
        result = engine.solve(instance, seed=0)
        groups = sorted(sorted(g["members"]) for g in result["groups"])
        results[name] = {"groups": groups, "objective": result["objective"]}
        results[name]["cpu"] = time.process_time() - started
    return results


def run(engine_root: Path) -> dict[str, dict]:
    """`solve_all` in a fresh interpreter, so each engine is imported alone."""
    call = f"s.solve_all({str(engine_root)!r})"
    code = f"import json, bench.same_results as s; print(json.dumps({call}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    """Print one row per instance and exit 1 if any result differs."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.same_results", description=__doc__.split("\n")[0]
    )
    ap.add_argument("other", type=Path, help="checkout of the engine version to compare with")
    args = ap.parse_args(argv)
    old, new = run(args.other.resolve()), run(ROOT)
    row = "{:24s} {:5s} {:>18} {:>18} {:>9} {:>9}"
    print(
        row.format("instance", "same", "objective other", "objective here", "cpu other", "cpu here")
    )
    differ = 0
    for name in old:
        a, b = old[name], new[name]
        same = a["groups"] == b["groups"] and abs(a["objective"] - b["objective"]) < 1e-9
        differ += not same
        figures = (
            f"{a['objective']:.3f}",
            f"{b['objective']:.3f}",
            f"{a['cpu']:.2f}",
            f"{b['cpu']:.2f}",
        )
        print(row.format(name, "yes" if same else "NO", *figures))
    total = (sum(v["cpu"] for v in old.values()), sum(v["cpu"] for v in new.values()))
    print(f"{len(old) - differ} of {len(old)} identical; CPU {total[0]:.2f} s / {total[1]:.2f} s")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
