"""Solve one instance small enough for dense pair weights (up to ~11,000 members).

Pipeline: scarcity-aware construction, placement repair (objective 1), batched descent
over moves and swaps, then (unless tabu search follows) rounds of swaps and 3-cycles
(`exchange_cycles`); then, for up to `TABU_MAX_MEMBERS` members, a per-member descent
(which also trades places with unplaced members) and, without travel limits, iterated
tabu search on the placed members. When the number of groups is free and the instance
is small (up to `COUNT_MAX_MEMBERS` placed), tabu search also runs with one group fewer
and one more (`group_count`), in each direction while that keeps improving, so the size
mix is chosen too, and with a time limit the time left goes to the best count; finally
another repair and, for format v2 instances only, the finishing passes (`finish`:
preferred sizes, no one alone).
"""

from __future__ import annotations

import time

import numpy as np

from worker.matching.batch_search import batch_descend
from worker.matching.budget import BATCH_ROUNDS, DESCENT_PASSES, EXCHANGE_ROUNDS, Budget
from worker.matching.construct import build
from worker.matching.exchange_cycles import exchange_descend
from worker.matching.finish import finish
from worker.matching.group_count import dissolve_one, open_one, total_weight
from worker.matching.instance import Instance
from worker.matching.local_search import descend
from worker.matching.progress import SILENT, Reporter
from worker.matching.repair import repair
from worker.matching.state import Assignment
from worker.matching.tabu import Problem, tabu_search

TABU_MAX_MEMBERS = 500
COUNT_MAX_MEMBERS = 120  # up to this many placed members, other group counts are tried
COUNT_STEPS = 3  # at most this many groups fewer / more than construction's count
PATIENCE = 12  # free group count: stop a tabu run after max(PATIENCE, n / 2) failed restarts
BASE_SHARE = 0.4  # of the tabu time for construction's count when other counts are tried
EPSILON = 1e-9


def optimise(
    instance: Instance,
    rng: np.random.Generator,
    budget: Budget,
    polish: bool = True,
    exchange_rounds: int = EXCHANGE_ROUNDS,
    progress: Reporter = SILENT,
) -> Assignment:
    """Feasible groups for `instance`, as good as the budget allows.

    `polish` adds per-member descent after the batched one (worth it for one community of
    up to ~1,500 members; shards of a large one skip it to keep the total fast).
    `exchange_rounds` caps the rounds of swaps and 3-cycles once the batched descent stalls.
    `progress` hears the best score after each phase.
    """
    state = build(instance, rng)
    repair(state)
    progress.report("construct", lambda: total_weight(state))
    batch_descend(state, BATCH_ROUNDS, budget.deadline)
    progress.report("descent", lambda: total_weight(state))
    tabu_follows = polish and instance.n <= TABU_MAX_MEMBERS and state.travel is None
    if not tabu_follows:  # tabu search over all swaps does more, where it runs
        exchange_descend(state, exchange_rounds, budget.deadline)
        progress.report("exchange", lambda: total_weight(state))
    if polish:
        descend(state, rng, DESCENT_PASSES, budget.deadline)
        progress.report("polish", lambda: total_weight(state))
        placed = np.flatnonzero(state.group_of >= 0)
        small = 2 <= len(placed) <= TABU_MAX_MEMBERS
        if small and state.travel is None and budget.left() > 0:
            vary = instance.num_groups is None and len(placed) <= COUNT_MAX_MEMBERS
            if vary:
                state = _vary_group_count(state, rng, budget, progress)
            else:
                iterations = budget.tabu_iterations(len(placed))
                state = _tabu_phase(state, rng, iterations, budget, progress=progress)
            progress.report("tabu", lambda: total_weight(state))
            descend(state, rng, DESCENT_PASSES, budget.deadline)
    repair(state)
    if instance.v2:
        finish(state)
    return state


def _vary_group_count(
    state: Assignment, rng: np.random.Generator, budget: Budget, progress: Reporter = SILENT
) -> Assignment:
    """Tabu search at construction's group count, then at counts one step away at a time."""
    placed = int((state.group_of >= 0).sum())
    iterations = budget.tabu_iterations(placed)
    patience = max(PATIENCE, placed // 2)
    first = _sub_budget(budget, BASE_SHARE)
    best = _tabu_phase(state, rng, iterations, first, patience, progress)
    best_value = total_weight(best)
    progress.report("tabu", lambda: best_value)
    for step in (dissolve_one, open_one):
        current = best
        for _ in range(COUNT_STEPS):
            candidate = step(current)
            if candidate is None or budget.left() <= 0:
                break
            candidate = _tabu_phase(
                candidate, rng, iterations // 2, _sub_budget(budget, 0.5), patience, progress
            )
            value = total_weight(candidate)
            if value <= best_value + EPSILON * max(1.0, abs(best_value)):
                break
            best, best_value, current = candidate, value, candidate
            progress.report("tabu", lambda v=value: v)
    if not budget.deterministic and budget.left() > 0:  # time left: go on at the best count
        best = _tabu_phase(best, rng, iterations, budget, progress=progress)
    return best


def _sub_budget(budget: Budget, share: float) -> Budget:
    """`share` of the time left (deterministic budgets are bounded by iterations instead)."""
    if budget.deterministic:
        return budget
    return Budget(time.monotonic() + share * max(0.0, budget.left()), deterministic=False)


def _tabu_phase(
    state: Assignment,
    rng: np.random.Generator,
    iterations: int,
    budget: Budget,
    patience: int | None = None,
    progress: Reporter = SILENT,
) -> Assignment:
    instance = state.instance
    placed = np.flatnonzero(state.group_of >= 0)
    used = np.unique(state.group_of[placed])
    renumber = np.full(state.num_groups, -1)
    renumber[used] = np.arange(len(used))
    slots = state.group_slot[used]
    multi_slot_seats = len(np.unique(slots)) > 1 and np.isfinite(instance.seats).any()
    problem = Problem(
        weights=state.weights[np.ix_(placed, placed)],
        num_groups=len(used),
        min_size=instance.min_size,
        max_size=instance.max_size,
        allowed=None if instance.available.all() else instance.available[np.ix_(placed, slots)],
        blocks=None if state.blocks is None else state.blocks[np.ix_(placed, placed)],
        group_slot=slots if multi_slot_seats else None,
    )
    start = renumber[state.group_of[placed]]
    heartbeat = None
    if progress.callback is not None:

        def heartbeat(value: float) -> None:
            progress.report("tabu", lambda: value)

    best = tabu_search(problem, start, rng, iterations, budget.deadline, patience, heartbeat)
    improved = Assignment(instance, list(slots), weights=state.weights)
    for i, g in zip(placed, best, strict=True):
        improved.move(int(i), int(g))
    return improved
