"""The language rule (format v2): every group's members who list languages share one.

Each group gets a language as it gets a slot: the engine solves an instance whose slots
are (slot, language) pairs, where a member is available at (s, l) if free at s and either
speaking l or listing no language. A group in (s, l) then shares l, so the rule holds in
every phase (construction, repair, descent, exchanges, tabu, shards, border repair)
through the availability mask they all respect already, with no pair loops. Any group
that shares some language can be expressed this way, so nothing feasible is lost.

Only languages that can matter become slots: one whose speakers all speak a language
already kept (more popular first) adds no possible group and is dropped. When at most one
language is kept, everyone listing languages shares it and the instance is solved as is.
With finite seats, a slot's seats are shared among its languages in proportion to how
many members could go there (only when the seats could run out at all).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from worker.matching.instance import Instance
from worker.matching.result import Grouping
from worker.matching.spoken import speakers


@dataclass(frozen=True)
class LanguageSplit:
    """The (slot, language) instance and, per virtual slot, its real slot and language."""

    instance: Instance
    real_slot: np.ndarray
    language: list[str]

    def to_real(self, grouping: Grouping) -> Grouping:
        """The same groups with their real slot indices."""
        return Grouping(grouping.groups, [int(self.real_slot[s]) for s in grouping.slots])

    def to_virtual(self, grouping: Grouping) -> Grouping:
        """Real-slot groups in the virtual slot of a kept language they share."""
        slots = []
        for members, slot in zip(grouping.groups, grouping.slots, strict=True):
            options = np.flatnonzero(self.real_slot == slot)
            fits = self.instance.available[np.asarray(members)][:, options].all(axis=0)
            slots.append(int(options[np.argmax(fits)]))  # the first that fits (or the first)
        return Grouping(grouping.groups, slots)


def kept_languages(languages: list[list[str]]) -> list[str]:
    """Most spoken first; a language is dropped when its speakers all speak a kept one."""
    codes, matrix = speakers(languages)
    together = (matrix.T @ matrix).toarray()
    count = np.diag(together)
    kept: list[int] = []
    for k in sorted(range(len(codes)), key=lambda k: (-count[k], codes[k])):
        if not any(together[k, j] == count[k] for j in kept):
            kept.append(k)
    return [codes[k] for k in kept]


def language_split(instance: Instance) -> LanguageSplit | None:
    """The (slot, language) instance, or None when the rule cannot rule anything out."""
    if instance.languages is None:
        return None
    kept = kept_languages(instance.languages)
    if len(kept) <= 1:
        return None
    codes, matrix = speakers(instance.languages)
    speaks = matrix[:, [codes.index(code) for code in kept]].toarray() > 0
    speaks[matrix.getnnz(axis=1) == 0] = True  # no language listed: fits any group
    slots = len(instance.slot_ids)
    real_slot = np.repeat(np.arange(slots), len(kept))
    language = kept * slots
    available = instance.available[:, real_slot] & np.tile(speaks, (1, slots))
    virtual = replace(
        instance,
        slot_ids=[instance.slot_ids[s] for s in real_slot],
        seats=_shared_seats(instance, available, real_slot),
        available=available,
        slot_location=None if instance.slot_location is None else instance.slot_location[real_slot],
    )
    return LanguageSplit(virtual, real_slot, language)


def _shared_seats(instance: Instance, available: np.ndarray, real_slot: np.ndarray) -> np.ndarray:
    """Seats per virtual slot: unlimited where the real slot cannot fill up."""
    seats = np.full(len(real_slot), np.inf)
    demand = available.sum(axis=0).astype(np.float64)
    for s, capacity in enumerate(instance.seats):
        free_then = int(instance.available[:, s].sum())
        if capacity >= free_then:
            continue
        mine = np.flatnonzero(real_slot == s)
        share = demand[mine] / max(1.0, demand[mine].sum())
        seats[mine] = np.floor(capacity * share)
    return seats
