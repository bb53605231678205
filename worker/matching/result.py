"""Turn a grouping (member indices and slot per group) into the result format."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from worker.matching.alone import alone_mask
from worker.matching.explain import unmatched_reason, why
from worker.matching.features import group_scores
from worker.matching.instance import Instance
from worker.matching.spoken import speakers
from worker.matching.state import Assignment


@dataclass
class Grouping:
    """Groups as member-index arrays over one instance, with the slot index of each."""

    groups: list[np.ndarray]
    slots: list[int]

    @staticmethod
    def from_state(state: Assignment, members: np.ndarray | None = None) -> Grouping:
        """Groups of an assignment; `members` maps its indices to a parent instance's."""
        groups, slots = [], []
        for g in range(state.num_groups):
            group = state.members(g)
            if len(group):
                groups.append(group if members is None else members[group])
                slots.append(int(state.group_slot[g]))
        return Grouping(groups, slots)

    def group_of(self, n: int) -> np.ndarray:
        """Group index per member, -1 for unplaced."""
        group_of = np.full(n, -1, dtype=np.int64)
        for g, members in enumerate(self.groups):
            group_of[members] = g
        return group_of


def to_result(instance: Instance, grouping: Grouping, seconds: float) -> dict:
    """The result dict: groups (members, slot, score, why), unmatched with reasons, totals.

    `alone` counts placed members whose best companion in their group has w(i, j) <= 0.
    """
    groups = []
    scores = group_scores(instance, grouping.groups)
    order = sorted(range(len(grouping.groups)), key=lambda g: (grouping.slots[g], g))
    for g in order:
        members = np.sort(grouping.groups[g])
        score = float(scores[g])
        groups.append(
            {
                "members": [instance.ids[i] for i in members],
                "slot": instance.slot_ids[grouping.slots[g]],
                "score": round(score, 6),
                "why": why(instance, members),
            }
        )
    group_of = grouping.group_of(instance.n)
    group_slot = np.array(grouping.slots, dtype=np.int64)
    speaks = None if instance.languages is None else speakers(instance.languages)[1]
    unmatched = [
        {
            "id": instance.ids[i],
            "reason": unmatched_reason(instance, int(i), group_of, group_slot, speaks),
        }
        for i in np.flatnonzero(group_of < 0)
    ]
    return {
        "groups": groups,
        "unmatched": unmatched,
        "objective": round(float(scores.sum()), 6),
        "placed": int((group_of >= 0).sum()),
        "alone": int(alone_mask(instance, grouping.groups).sum()),
        "seconds": round(seconds, 3),
    }
