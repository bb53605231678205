"""Run one benchmark: ``python -m bench NAME [options]`` (``python -m bench`` lists them).

Benches print a plain-text table and are never part of the test suite; see bench/README.md.
"""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "mdgplib": "the 30 MDGPLIB instances against TPSDP's published results",
    "optimality": "small instances against the exact MILP optimum",
    "compare": "random, greedy and size-constrained k-means against Hearth",
    "scale": "100,000 members: placed, quality vs a 10,000 sample, time, memory",
}


def main(argv: list[str]) -> int:
    """Dispatch to ``bench.<name>.main``."""
    if not argv or argv[0] not in BENCHES:
        print("usage: python -m bench NAME [options]   (NAME --help for options)\n")
        for name, what in BENCHES.items():
            print(f"  {name:<11} {what}")
        return 0 if not argv else 2
    module = importlib.import_module(f"bench.{argv[0]}")
    return int(module.main(argv[1:]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
