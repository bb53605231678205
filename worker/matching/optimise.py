"""Solve one instance small enough for dense pair weights (up to a few thousand members).

Pipeline: scarcity-aware construction, placement repair (objective 1), batched descent
over moves and swaps; then, for up to `TABU_MAX_MEMBERS` members, a per-member descent
(which also trades places with unplaced members) and, without travel limits, iterated
tabu search on the placed members; finally another repair.
"""

from __future__ import annotations

import numpy as np

from worker.matching.batch_search import batch_descend
from worker.matching.budget import BATCH_ROUNDS, DESCENT_PASSES, Budget
from worker.matching.construct import build
from worker.matching.instance import Instance
from worker.matching.local_search import descend
from worker.matching.repair import repair
from worker.matching.state import Assignment
from worker.matching.tabu import Problem, tabu_search

TABU_MAX_MEMBERS = 500


def optimise(
    instance: Instance, rng: np.random.Generator, budget: Budget, polish: bool = True
) -> Assignment:
    """Feasible groups for `instance`, as good as the budget allows.

    `polish` adds per-member descent after the batched one (worth it for one community of
    up to ~1,500 members; shards of a large one skip it to keep the total fast).
    """
    state = build(instance, rng)
    repair(state)
    batch_descend(state, BATCH_ROUNDS, budget.deadline)
    if polish:
        descend(state, rng, DESCENT_PASSES, budget.deadline)
        placed = np.flatnonzero(state.group_of >= 0)
        small = 2 <= len(placed) <= TABU_MAX_MEMBERS
        if small and state.travel is None and budget.left() > 0:
            state = _tabu_phase(state, placed, rng, budget)
            descend(state, rng, DESCENT_PASSES, budget.deadline)
    repair(state)
    return state


def _tabu_phase(
    state: Assignment, placed: np.ndarray, rng: np.random.Generator, budget: Budget
) -> Assignment:
    instance = state.instance
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
    best = tabu_search(problem, start, rng, budget.tabu_iterations(len(placed)), budget.deadline)
    improved = Assignment(instance, list(slots), weights=state.weights)
    for i, g in zip(placed, best, strict=True):
        improved.move(int(i), int(g))
    return improved
