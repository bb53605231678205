"""Initial groups that respect scarcity: who goes to which slot, how many groups, who first.

Members are handled highest priority first, then those with the fewest slots and the
most blocks (the hardest to place), so scarce options go to those who need them. Each
slot gets as many groups as its members fill (max-sized groups score highest); then every
member joins the open group it has the most affinity with, seeded by spread-out members.
"""

from __future__ import annotations

import numpy as np

from worker.matching.features import dense_pair_weights
from worker.matching.fields import InstanceError
from worker.matching.instance import Instance
from worker.matching.slot_choice import slots_by_neighbours
from worker.matching.state import Assignment


def scarcity_order(instance: Instance, rng: np.random.Generator) -> np.ndarray:
    """Member indices, hardest-to-place and most important first (random tie-break)."""
    blocked = (
        np.zeros(instance.n)
        if instance.blocks is None
        else np.asarray(instance.blocks.sum(axis=1)).ravel()
    )
    keys = (rng.random(instance.n), -blocked, instance.available.sum(axis=1), -instance.priority)
    return np.lexsort(keys)


def assign_slots(instance: Instance, order: np.ndarray) -> np.ndarray:
    """Slot per member (-1 = none): each to the least-filled available slot with a seat."""
    seats = instance.seats.tolist()
    counts = [0] * len(seats)
    available = instance.available.tolist()  # plain lists: this loop visits every member
    slot_of = [-1] * instance.n
    for i in order.tolist():
        best = -1
        for s, ok in enumerate(available[i]):  # the first least-filled slot with a seat
            if ok and seats[s] >= 1 and (best < 0 or counts[s] < counts[best]):
                best = s
        if best >= 0:
            slot_of[i] = best
            counts[best] += 1
            seats[best] -= 1
    return np.array(slot_of, dtype=np.int64)


def groups_per_slot(instance: Instance, counts: np.ndarray) -> np.ndarray:
    """How many groups each slot gets, honouring num_groups when given."""
    lo, hi = instance.min_size, instance.max_size
    if instance.num_groups is None:
        plenty = -(-counts // hi)
        return np.where(plenty * lo <= counts, plenty, counts // lo).astype(np.int64)
    planned = np.zeros(len(counts), dtype=np.int64)
    for _ in range(instance.num_groups):
        room = (planned + 1) * lo <= counts
        if not room.any():
            raise InstanceError(
                "num_groups",
                f"cannot form {instance.num_groups} groups of at least {lo}: "
                "too few members share a slot",
            )
        unserved = np.where(room, counts - planned * hi, -np.inf)
        planned[np.argmax(unserved)] += 1
    return planned


def build(instance: Instance, rng: np.random.Generator) -> Assignment:
    """A feasible starting assignment (some members may stay unplaced for repair)."""
    order = scarcity_order(instance, rng)
    weights = dense_pair_weights(instance)
    slot_of = slots_by_neighbours(instance, assign_slots(instance, order), order)
    counts = np.bincount(slot_of[slot_of >= 0], minlength=len(instance.seats))
    planned = groups_per_slot(instance, counts)
    group_slots = [s for s, k in enumerate(planned) for _ in range(k)]
    state = Assignment(instance, group_slots, weights)
    targets = np.zeros(state.num_groups, dtype=np.int64)
    for s, k in enumerate(planned):
        if k:
            fill = min(counts[s], k * instance.max_size)
            mine = np.flatnonzero(state.group_slot == s)
            targets[mine] = fill // k + (np.arange(k) < fill % k)
            _grow(state, order[slot_of[order] == s], mine, targets)
    for i in order:
        if state.group_of[i] < 0 and slot_of[i] >= 0:
            _join_best(state, i, targets)
    return state


def _grow(state: Assignment, candidates: np.ndarray, groups: np.ndarray, targets) -> None:
    """Fill groups one at a time: the hardest-to-place free member, then best additions.

    Each addition is the free candidate with the largest weight to the group so far that
    keeps blocks and travel limits (the greedy that a big candidate pool makes strong).
    Works on rows of the weight matrix directly (no copy of the candidates' block).
    """
    free = np.zeros(state.instance.n, dtype=bool)
    free[candidates] = True
    queue = iter(candidates.tolist())  # candidates in order: the next group's first member
    for g in groups:
        first = next((i for i in queue if free[i]), None)
        if first is None:
            return
        chosen = [first]
        free[first] = False
        candidates = candidates[free[candidates]]  # the free ones, order kept (fewer to scan)
        ok = free.copy()
        affinity = state.weights[first].copy()
        while len(chosen) < targets[g]:
            if state.blocks is not None:
                ok &= state.blocks[chosen[-1]] == 0
            scores = np.where(ok[candidates], affinity[candidates], -np.inf)
            k = _best_addition(state, candidates, chosen, scores)  # ties: candidates' order
            if k is None:
                break
            pick = int(candidates[k])
            chosen.append(pick)
            free[pick] = ok[pick] = False
            affinity += state.weights[pick]
        state.fill(int(g), chosen)


def _best_addition(
    state: Assignment, candidates: np.ndarray, chosen: list[int], scores: np.ndarray
) -> int | None:
    if state.travel is None:
        best = int(np.argmax(scores))
        return best if np.isfinite(scores[best]) else None
    for k in np.argsort(-scores, kind="stable")[:50]:
        if not np.isfinite(scores[k]):
            return None
        if state.travel.fits(np.append(chosen, candidates[k])):
            return int(k)
    return None


def _join_best(state: Assignment, i: int, targets: np.ndarray) -> None:
    """Join the open group member i likes most, trying its slot's groups, then any."""
    open_groups = (state.sizes < targets) & state.allowed[i]
    if state.block_counts is not None:
        open_groups &= state.block_counts[i] == 0
    scores = np.where(open_groups, state.sums[i], -np.inf)
    for g in np.argsort(-scores, kind="stable"):
        if not np.isfinite(scores[g]):
            return
        if state.can_join(i, int(g)):
            state.move(i, int(g))
            return
