"""The exact solver against brute force on instances small enough to enumerate."""

from itertools import combinations
from typing import Any

import pytest

from bench import exact, features, validate
from bench.generator import generate


def brute_force(instance: dict[str, Any]) -> tuple[float, float]:
    """Best (placed priority, weight), lexicographically, over every valid set of groups."""
    members = instance["members"]
    n = len(members)
    lo, hi = instance["group_size"]["min"], instance["group_size"]["max"]
    w = features.dense_weights(instance)
    slots = [s["id"] for s in instance.get("slots") or []] or [None]
    seats = {s["id"]: s.get("seats") for s in instance.get("slots") or []}
    blocked = {frozenset(b) for b in instance.get("blocks") or []}
    prio = [float(m.get("priority", 1.0)) for m in members]
    best = (-1.0, -1e18)

    def ok(group: tuple[int, ...], slot: str | None) -> bool:
        ids = [members[i]["id"] for i in group]
        if any(frozenset(p) in blocked for p in combinations(ids, 2)):
            return False
        return all(slot is None or slot in (members[i].get("available") or slots) for i in group)

    def walk(free: list[int], used: dict[Any, int], score: tuple[float, float]) -> None:
        nonlocal best
        if not free:
            best = max(best, score)
            return
        first, rest = free[0], free[1:]
        walk(rest, used, score)  # first stays unmatched
        for size in range(lo, hi + 1):
            for others in combinations(rest, size - 1):
                group = (first, *others)
                for slot in slots:
                    cap = seats.get(slot) if slot is not None else None
                    if not ok(group, slot) or (cap is not None and used[slot] + size > cap):
                        continue
                    gain = sum(w[a, b] for a, b in combinations(group, 2))
                    used[slot] += size
                    walk(
                        [i for i in rest if i not in others],
                        used,
                        (score[0] + sum(prio[i] for i in group), score[1] + gain),
                    )
                    used[slot] -= size

    walk(list(range(n)), {s: 0 for s in slots}, (0.0, 0.0))
    return best


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 8, "slots": 0, "group_size": (2, 3), "seed": 1},
        {"n": 7, "slots": 0, "group_size": (3, 4), "seed": 2, "block_rate": 0.5},
        {"n": 8, "slots": 2, "group_size": (2, 3), "seed": 3, "seats_ratio": 0.6},
        {"n": 9, "slots": 3, "group_size": (3, 4), "seed": 4, "block_rate": 0.3},
    ],
)
def test_exact_matches_brute_force(kwargs: dict[str, Any]) -> None:
    """Same lexicographic optimum as exhaustive search, and a valid solution."""
    n = kwargs.pop("n")
    instance = generate(n, **kwargs)
    out = exact.solve_exact(instance, time_limit=30)
    assert out.status == "optimal"
    want_priority, want_weight = brute_force(instance)
    assert out.placed_priority == pytest.approx(want_priority)
    assert out.objective == pytest.approx(want_weight, abs=1e-7)
    assert validate.violations(instance, exact.as_result(instance, out)) == []
    assert features.objective(instance, [g for g, _ in out.groups]) == pytest.approx(out.objective)


def test_exact_respects_num_groups() -> None:
    """A fixed number of groups is honoured (MDGP style)."""
    instance = generate(9, slots=0, group_size=(2, 5), seed=5)
    instance["num_groups"] = 3
    out = exact.solve_exact(instance, time_limit=30)
    assert out.status == "optimal" and len(out.groups) == 3


def test_exact_refuses_huge_instances() -> None:
    """Enumeration is capped instead of exhausting memory."""
    out = exact.solve_exact(generate(200, slots=0), max_columns=1000)
    assert out.status == "too_large"
