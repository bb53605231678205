"""The parsed, validated form of a matching instance (../shared/matching-format.md).

`parse_instance` turns the JSON dict into an `Instance` of numpy arrays and sparse
matrices, checking every field so that the solver never meets bad data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from worker.matching.fields import InstanceError, as_dict, as_int, as_list, require
from worker.matching.members import parse_members
from worker.matching.relations import parse_blocks, parse_bonds, parse_weights


@dataclass(frozen=True)
class Instance:
    """A validated instance; member i is ids[i], slot s is slot_ids[s] (None = implicit)."""

    ids: list[str]
    min_size: int
    max_size: int
    num_groups: int | None
    slot_ids: list[str | None]
    seats: np.ndarray  # (S,) float, inf = unlimited
    available: np.ndarray  # (n, S) bool
    priority: np.ndarray  # (n,)
    interests: list[list[str]]
    features: np.ndarray | sp.csr_matrix | None  # L2-normalised rows; None with weights
    weights: sp.csr_matrix | None  # explicit symmetric pair weights
    bonds: sp.csr_matrix | None  # symmetric sum of bonds
    blocks: sp.csr_matrix | None  # symmetric 0/1
    location: np.ndarray  # (n, 2) degrees, NaN where absent
    max_km: np.ndarray  # (n,) inf where absent

    @property
    def n(self) -> int:
        """Number of members."""
        return len(self.ids)

    @property
    def has_locations(self) -> bool:
        """Whether any member sets a travel limit (only then can travel rule anything out)."""
        return bool(np.isfinite(self.max_km).any())

    def subset(self, members: np.ndarray, num_groups: int | None = None) -> Instance:
        """The sub-instance of the given member indices (same slots, global features kept)."""
        members = np.asarray(members, dtype=np.int64)

        def cut(matrix: sp.csr_matrix | None) -> sp.csr_matrix | None:
            return None if matrix is None else matrix[members][:, members].tocsr()

        return replace(
            self,
            ids=[self.ids[i] for i in members],
            num_groups=num_groups,
            available=self.available[members],
            priority=self.priority[members],
            interests=[self.interests[i] for i in members],
            features=None if self.features is None else self.features[members],
            weights=cut(self.weights),
            bonds=cut(self.bonds),
            blocks=cut(self.blocks),
            location=self.location[members],
            max_km=self.max_km[members],
        )


def parse_instance(instance: dict) -> Instance:
    """Validate an instance dict and return an `Instance`; raise `InstanceError` on bad input."""
    as_dict(instance, "instance")
    size = as_dict(require(instance, "group_size", "group_size"), "group_size")
    min_size = as_int(require(size, "min", "group_size.min"), "group_size.min", minimum=1)
    max_size = as_int(require(size, "max", "group_size.max"), "group_size.max", minimum=1)
    if min_size > max_size:
        raise InstanceError("group_size", f"min ({min_size}) is greater than max ({max_size})")
    num_groups = instance.get("num_groups")
    if num_groups is not None:
        num_groups = as_int(num_groups, "num_groups", minimum=0)
    slot_ids, seats = _parse_slots(instance.get("slots"))
    raw_members = as_list(require(instance, "members", "members"), "members")
    has_weights = instance.get("weights") is not None
    members = parse_members(raw_members, slot_ids, needs_features=not has_weights)
    n = len(members.ids)
    index = {member_id: i for i, member_id in enumerate(members.ids)}
    weights = parse_weights(instance["weights"], n) if has_weights else None
    bonds = parse_bonds(instance.get("pairs"), index)
    blocks = parse_blocks(instance.get("blocks"), index)
    if num_groups is not None and num_groups * min_size > n:
        raise InstanceError(
            "num_groups",
            f"{num_groups} groups of at least {min_size} need {num_groups * min_size} "
            f"members, the instance has {n}",
        )
    return Instance(
        ids=members.ids,
        min_size=min_size,
        max_size=max_size,
        num_groups=num_groups,
        slot_ids=slot_ids,
        seats=seats,
        available=members.available,
        priority=members.priority,
        interests=members.interests,
        features=None if has_weights else members.features,
        weights=weights,
        bonds=bonds,
        blocks=blocks,
        location=members.location,
        max_km=members.max_km,
    )


def _parse_slots(raw: object) -> tuple[list[str | None], np.ndarray]:
    if raw is None:
        return [None], np.array([np.inf])
    slots = as_list(raw, "slots")
    if not slots:
        raise InstanceError("slots", "must list at least one slot (omit it for one implicit slot)")
    ids: list[str | None] = []
    seats = np.full(len(slots), np.inf)
    for s, slot in enumerate(slots):
        where = f"slots[{s}]"
        as_dict(slot, where)
        slot_id = require(slot, "id", f"{where}.id")
        if not isinstance(slot_id, str) or not slot_id:
            raise InstanceError(f"{where}.id", f"must be a non-empty string, got {slot_id!r}")
        if slot_id in ids:
            raise InstanceError(f"{where}.id", f"duplicate slot id {slot_id!r}")
        ids.append(slot_id)
        if slot.get("seats") is not None:
            seats[s] = as_int(slot["seats"], f"{where}.seats", minimum=0)
    return ids, seats
