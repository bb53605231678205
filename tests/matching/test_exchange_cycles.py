"""Swaps and 3-cycles: exact gains, the best one found, rules kept, and a case swaps miss."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.matching.matching_instances import blocked_instance
from worker.matching import parse_instance
from worker.matching.batch_search import batch_descend, liked_groups
from worker.matching.construct import build
from worker.matching.exchange_cycles import _best_exchanges, exchange_descend
from worker.matching.repair import repair
from worker.matching.state import Assignment


def _total(state: Assignment) -> float:
    placed = np.flatnonzero(state.group_of >= 0)
    return float(state.sums[placed, state.group_of[placed]].sum() / 2)


def _descended(instance: dict, seed: int) -> Assignment:
    state = build(parse_instance(instance), np.random.default_rng(seed))
    repair(state)
    batch_descend(state, 400, np.inf)
    return state


def _exchanges(state: Assignment) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    own = np.where(state.group_of >= 0, state.group_of, 0)
    return _best_exchanges(state, liked_groups(state, own))


def _apply(state: Assignment, cycle: list[int]) -> None:
    groups = [int(state.group_of[m]) for m in cycle]
    for m in cycle:
        state.move(m, -1)
    for m, g in zip(cycle, groups[1:] + groups[:1], strict=True):
        state.move(m, g)


@pytest.mark.parametrize(("slots", "seed"), [(1, 0), (2, 1), (3, 2)])
def test_reported_gains_are_the_objective_change(slots: int, seed: int) -> None:
    state = _descended(blocked_instance(150, slots, seed), seed)
    gains, first, second = _exchanges(state)
    cycles = np.flatnonzero(np.isfinite(gains) & (second >= 0))
    swaps = np.flatnonzero(np.isfinite(gains) & (second < 0))
    assert len(cycles) > 10 and len(swaps) > 10  # both kinds are candidates after descent
    assert (gains[cycles] > 0).any()  # and some 3-cycles improve where no swap does
    for i in [*cycles[:25], *swaps[:25]]:
        cycle = [int(i), int(first[i])] + ([int(second[i])] if second[i] >= 0 else [])
        assert len({int(state.group_of[m]) for m in cycle}) == len(cycle)
        assert all(
            state.allowed[m, state.group_of[nxt]]
            for m, nxt in zip(cycle, cycle[1:] + cycle[:1], strict=True)
        )
        trial = state.copy()
        _apply(trial, cycle)
        assert _total(trial) - _total(state) == pytest.approx(gains[i], abs=1e-9)


def _brute_best(state: Assignment) -> float:
    """Best gain over every swap and 3-cycle of members in distinct groups (slots kept)."""
    placed = [int(i) for i in np.flatnonzero(state.group_of >= 0)]
    g, a, w = state.group_of, state.sums, state.weights

    def take(x: int, y: int) -> float:  # x takes y's seat
        if not state.allowed[x, g[y]]:
            return -np.inf
        return a[x, g[y]] - w[x, y] - a[x, g[x]]

    best = -np.inf
    for i, j in itertools.permutations(placed, 2):
        if g[i] != g[j]:
            best = max(best, take(i, j) + take(j, i))
    for i, j, k in itertools.permutations(placed, 3):
        if len({g[i], g[j], g[k]}) == 3:
            best = max(best, take(i, j) + take(j, k) + take(k, i))
    return best


@pytest.mark.parametrize(("slots", "seed"), [(1, 3), (2, 4), (1, 5)])
def test_the_best_exchange_is_found_when_the_lists_hold_every_seat(slots: int, seed: int) -> None:
    instance = blocked_instance(30, slots, seed)
    instance["blocks"] = []  # the search leaves blocks to the moment a cycle is applied
    state = _descended(instance, seed)
    assert state.num_groups <= 6  # 12 liked groups and 32 listed seats cover everyone
    gains, _, _ = _exchanges(state)
    assert gains.max() == pytest.approx(_brute_best(state), abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_exchange_descent_only_improves_and_keeps_every_rule(seed: int) -> None:
    state = _descended(blocked_instance(300, 3, seed), seed)
    before, sizes, seats = _total(state), state.sizes.copy(), state.seats_left.copy()
    assert exchange_descend(state, 200, np.inf) > 0
    assert _total(state) > before
    assert np.array_equal(state.sizes, sizes) and np.array_equal(state.seats_left, seats)
    assert state.block_counts is not None
    for i in np.flatnonzero(state.group_of >= 0):
        assert state.allowed[i, state.group_of[i]] and state.block_counts[i, state.group_of[i]] == 0
    gains, _, _ = _exchanges(state)
    assert not (gains > 1e-9).any() or exchange_descend(state, 1, np.inf) == 0  # a local optimum


def _rotation_instance() -> dict:
    """Three groups of three, each with one member who would rather sit in the next group.

    Mover x_A likes B's other two (+1 each) and dislikes C's (-2), and so on round the
    cycle; the two others in each group like each other (+2). No swap helps (it would
    put a mover among people it dislikes, or split a liked pair), but rotating the three
    movers gains 6.
    """
    groups = {"A": ["xA", "a2", "a3"], "B": ["xB", "b2", "b3"], "C": ["xC", "c2", "c3"]}
    ids = [m for members in groups.values() for m in members]
    at = {m: k for k, m in enumerate(ids)}
    weights = []
    for here, there, other in (("A", "B", "C"), ("B", "C", "A"), ("C", "A", "B")):
        mover, rest = groups[here][0], groups[here][1:]
        weights += [[at[mover], at[m], 1.0] for m in groups[there][1:]]
        weights += [[at[mover], at[m], -2.0] for m in groups[other][1:]]
        weights.append([at[rest[0]], at[rest[1]], 2.0])
    return {
        "group_size": {"min": 3, "max": 3},
        "num_groups": 3,
        "members": [{"id": m} for m in ids],
        "weights": weights,
    }


def test_a_rotation_no_swap_can_make_is_found() -> None:
    parsed = parse_instance(_rotation_instance())
    state = Assignment(parsed, [0, 0, 0])
    for k in range(9):
        state.move(k, k // 3)
    assert _total(state) == pytest.approx(6.0)
    assert batch_descend(state, 400, np.inf) == 0  # swaps alone are stuck
    assert exchange_descend(state, 200, np.inf) == 1
    assert _total(state) == pytest.approx(12.0)  # the optimum: each mover with those it likes
    assert sorted(sorted(int(m) for m in state.members(g)) for g in range(3)) == [
        [0, 4, 5],
        [1, 2, 6],
        [3, 7, 8],
    ]


def test_no_exchange_round_starts_after_the_deadline() -> None:
    """A time-limited search that reaches exchanges late does not overrun its limit."""
    state = _descended(blocked_instance(150, 2, 6), 6)
    before = state.group_of.copy()
    assert exchange_descend(state, 200, deadline=0.0) == 0
    assert (state.group_of == before).all()
    assert exchange_descend(state, 200, deadline=np.inf) > 0, "with time, some improve"
