"""Words for people: what a group shares (`why`) and why someone was not placed.

`why` lists the interest tags that at least two members of the group share, most shared
first, then (format v2) the about-text topics they share. Reasons for unmatched members
are diagnosed from the instance and the final groups, most fundamental first (no slot,
no venue in reach, nobody free then, blocks, language, seats, distance).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp

from worker.matching.about import shared_topics
from worker.matching.instance import Instance
from worker.matching.regions import haversine_km

WHY_TAGS = 5


def why(instance: Instance, members: np.ndarray) -> list[str]:
    """Interest tags shared by at least two members, most shared first (max 5), then the
    about-text topics shared most (max 3, not repeating a tag)."""
    counts = Counter(tag for i in members for tag in instance.interests[i])
    shared = [(-count, tag) for tag, count in counts.items() if count >= 2]
    tags = [tag for _, tag in sorted(shared)[:WHY_TAGS]]
    if instance.topics is None:
        return tags
    return tags + shared_topics(instance.topics, members, tags)


def unmatched_reason(
    instance: Instance,
    i: int,
    group_of: np.ndarray,
    group_slot: np.ndarray,
    speaks: sp.csr_matrix | None = None,
) -> str:
    """A readable reason why member i is in no group.

    `speaks` is the member x language matrix (`languages.speakers`) when languages are used.
    """
    slots = np.flatnonzero(instance.available[i])
    if not len(slots):
        if instance.beyond_reach is not None and instance.beyond_reach[i]:
            return "no time slot within travel distance"
        return "no available time slot"
    others = np.asarray(instance.available[:, slots].any(axis=1))
    others[i] = False
    if others.sum() < instance.min_size - 1:
        return "not enough members free at the same time"
    if instance.blocks is not None:
        unblocked = others & (instance.blocks[i].toarray().ravel() == 0)
        if unblocked.sum() < instance.min_size - 1:
            return "blocked with everyone available"
    if speaks is not None and speaks[i].nnz:
        silent = speaks.getnnz(axis=1) == 0
        common = np.asarray((speaks @ speaks[i].T).todense()).ravel() > 0
        if (others & (silent | common)).sum() < instance.min_size - 1:
            return "no group shares a language"
    used = np.bincount(group_slot[group_of[group_of >= 0]], minlength=len(instance.seats))
    sizes = np.bincount(group_of[group_of >= 0], minlength=len(group_slot))
    with_room = np.zeros(len(instance.seats), dtype=bool)
    with_room[group_slot[sizes < instance.max_size]] = True
    needed = np.where(with_room, 1, instance.min_size)
    if (instance.seats[slots] - used[slots] < needed[slots]).all():
        return "venue full at every time slot you are free"
    if np.isfinite(instance.max_km[i]) and _too_far(instance, i, others):
        return "too far from other members"
    reachable = np.isin(group_slot, slots)
    if instance.num_groups is not None and (sizes[reachable] >= instance.max_size).all():
        return "all groups at your time slots are full"
    return "no group at your time slots had room that fits your blocks and travel limits"


def _too_far(instance: Instance, i: int, others: np.ndarray) -> bool:
    located = others & ~np.isnan(instance.location[:, 0])
    if not located.any():
        return False
    distance = haversine_km(instance.location[located], instance.location[i])
    return int((distance <= 2 * instance.max_km[i]).sum()) < instance.min_size - 1
