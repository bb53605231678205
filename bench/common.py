"""Shared plumbing for the benches: the solver under test, validation, timing, tables.

Every bench measures the engine through the same ``Engine`` record so a table can never mix
a validated engine result with an unvalidated one. ``--engine random`` swaps in the bench's
own random-grouping baseline, to exercise a harness before the engine exists.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench import features, validate

Instance = dict[str, Any]
Result = dict[str, Any]
SolveFn = Callable[..., Result]


@dataclass(frozen=True)
class Engine:
    """A solver under test and the rule checker / objective it is judged with."""

    name: str
    solve: SolveFn
    check: Callable[[Instance, Result], list[str]]
    objective: Callable[[Instance, list[list[str]]], float]


def load_engine(name: str = "hearth") -> Engine:
    """Return Hearth's engine, or the bench's random baseline with ``name="random"``."""
    if name == "hearth":
        try:
            from worker.matching import check_result, objective, solve
        except ImportError as exc:
            raise SystemExit(
                f"worker.matching is not usable yet ({exc}); run with --engine random "
                "to exercise the harness"
            ) from exc
        return Engine("hearth", solve, check_result, objective)
    if name == "random":
        from bench.baselines import random_grouping

        def solve_random(
            instance: Instance, *, seed: int = 0, time_limit: float | None = None
        ) -> Result:
            return random_grouping(instance, seed=seed)

        return Engine("random", solve_random, validate.violations, features.objective)
    raise SystemExit(f"unknown engine {name!r} (hearth or random)")


def group_lists(result: Result) -> list[list[str]]:
    """The member-id lists of a result's groups."""
    return [list(g["members"]) for g in result["groups"]]


def checked(engine: Engine, instance: Instance, result: Result, label: str) -> list[str]:
    """All violations of ``result`` by the engine's checker and by the bench's own."""
    found = [f"{label}: {v}" for v in engine.check(instance, result)]
    found += [f"{label} (bench check): {v}" for v in validate.violations(instance, result)]
    return found


def timed(fn: Callable[[], Result]) -> tuple[Result, float]:
    """Run ``fn`` and return its result with the wall-clock seconds it took."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence (nan when empty)."""
    return statistics.median(values) if values else float("nan")


def single_core() -> Any:
    """Context manager limiting BLAS/OpenMP pools to one thread (the benches' budget)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Format rows as a plain-text, right-aligned table."""
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value: Any) -> str:
    """Render one table cell: floats with sensible precision, the rest as str."""
    if isinstance(value, float):
        if value != value:
            return "-"
        if abs(value) >= 1000:
            return f"{value:,.1f}"
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.3f}"
    return str(value)


def verdict(ok: bool) -> str:
    """'met' or 'MISSED', for goal columns."""
    return "met" if ok else "MISSED"
