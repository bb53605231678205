"""Choose each flexible member's slot where its nearest neighbours are.

A member free at several slots can only be grouped with people in the same slot, so the
starting split matters: after a first scarcity-aware split, members repeatedly move to
the slot holding most of the weight to their nearest neighbours, within the seats.
"""

from __future__ import annotations

import numpy as np

from worker.matching.features import nearest_neighbours
from worker.matching.instance import Instance

ROUNDS = 6


def slots_by_neighbours(instance: Instance, slot_of: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Improved slot per member (-1 stays -1); seats are never exceeded."""
    slot_of = slot_of.copy()
    flexible = order[(slot_of[order] >= 0) & (instance.available[order].sum(axis=1) > 1)]
    if not len(flexible) or len(instance.seats) < 2:
        return slot_of
    neighbours, strength = nearest_neighbours(instance, min(4 * instance.max_size, instance.n - 1))
    strength = np.maximum(strength, 0.0)
    counts = np.bincount(slot_of[slot_of >= 0], minlength=len(instance.seats)).astype(float)
    for _ in range(ROUNDS):
        changed = 0
        for i in flexible:
            near = slot_of[neighbours[i]]
            votes = np.bincount(near[near >= 0], strength[i][near >= 0], len(instance.seats))
            current = slot_of[i]
            open_slots = instance.available[i] & (counts + 1 <= instance.seats)
            open_slots[current] = True
            votes = np.where(open_slots, votes, -np.inf)
            best = int(np.argmax(votes))
            if votes[best] > votes[current]:
                counts[current] -= 1
                counts[best] += 1
                slot_of[i] = best
                changed += 1
        if not changed:
            break
    return slot_of
