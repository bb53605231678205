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
NEIGHBOURS_PER_SIZE = 1  # neighbours who vote: about one group's worth (more dilutes the vote)


def slots_by_neighbours(instance: Instance, slot_of: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Improved slot per member (-1 stays -1); seats are never exceeded."""
    slot_of = slot_of.copy()
    flexible = order[(slot_of[order] >= 0) & (instance.available[order].sum(axis=1) > 1)]
    if not len(flexible) or len(instance.seats) < 2:
        return slot_of
    k = min(NEIGHBOURS_PER_SIZE * instance.max_size, instance.n - 1)
    neighbours, strength = nearest_neighbours(instance, k, rows=flexible, share_slot=True)
    strength = np.maximum(strength, 0.0)
    counts = np.bincount(slot_of[slot_of >= 0], minlength=len(instance.seats)).tolist()
    seats = instance.seats.tolist()
    current = slot_of.tolist()  # plain lists: this loop runs over every flexible member
    rows = list(zip(flexible.tolist(), neighbours.tolist(), strength.tolist(), strict=True))
    masks = instance.available[flexible].tolist()
    options = [[s for s, ok in enumerate(mask) if ok] for mask in masks]
    zero = [0.0] * len(seats)
    for _ in range(ROUNDS):
        changed = 0
        for (i, near, weight), mine in zip(rows, options, strict=True):
            votes = zero.copy()
            for j, w in zip(near, weight, strict=True):
                if current[j] >= 0:
                    votes[current[j]] += w
            here = best = current[i]
            for s in mine:  # the first slot with the most votes, if more than here
                if s != here and counts[s] + 1 <= seats[s] and votes[s] > votes[best]:
                    best = s
            if best != here:
                counts[here] -= 1
                counts[best] += 1
                current[i] = best
                changed += 1
        if not changed:
            break
    return np.array(current, dtype=np.int64)
