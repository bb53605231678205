"""The mutable assignment the search works on, with incremental bookkeeping.

For the members of one (sub-)instance it keeps the dense pair weights W, each member's
group (-1 = unplaced), and the n x G matrix A[i, g] = sum of W[i, j] over j in group g, so
the gain of any move or swap is a handful of lookups and an update costs O(n).
Block counts K[i, g] and the slot mask `allowed` keep the hard rules checkable in O(1).
"""

from __future__ import annotations

import numpy as np

from worker.matching.features import dense_pair_weights
from worker.matching.instance import Instance
from worker.matching.regions import TravelCheck


class Assignment:
    """Groups of one instance: membership, sizes, slots, seats and weight sums."""

    def __init__(
        self, instance: Instance, group_slots: list[int], weights: np.ndarray | None = None
    ) -> None:
        self.instance = instance
        self.weights = dense_pair_weights(instance) if weights is None else weights
        n, num_groups = instance.n, len(group_slots)
        self.group_of = np.full(n, -1, dtype=np.int64)
        self.group_slot = np.array(group_slots, dtype=np.int64)
        self.sizes = np.zeros(num_groups, dtype=np.int64)
        self.roster = np.full((num_groups, instance.max_size), -1, dtype=np.int64)
        self.position = np.full(n, -1, dtype=np.int64)  # index in its group's roster row
        self.placed = 0
        self.sums = np.zeros((n, num_groups), order="F")  # columns contiguous: O(n) updates
        self.blocks = (  # int8 straight from the sparse matrix (no float n x n copy)
            None if instance.blocks is None else instance.blocks.astype(np.int8).toarray()
        )
        self.block_counts = (
            None if self.blocks is None else np.zeros((n, num_groups), np.int32, order="F")
        )
        self.allowed = instance.available[:, self.group_slot]
        self.everyone_allowed = bool(self.allowed.all())  # e.g. a single-slot shard
        self.has_block = np.zeros(n, dtype=bool) if self.blocks is None else self.blocks.any(axis=1)
        self.seats_left = instance.seats.astype(np.float64).copy()
        self.travel = TravelCheck(instance) if instance.has_locations else None

    @property
    def num_groups(self) -> int:
        """Number of groups (including empty ones)."""
        return len(self.group_slot)

    def add_group(self, slot: int) -> int:
        """Open a new empty group in `slot` and return its index."""
        n = self.instance.n
        self.group_slot = np.append(self.group_slot, slot)
        self.sizes = np.append(self.sizes, 0)
        self.roster = np.vstack([self.roster, np.full((1, self.instance.max_size), -1)])
        self.sums = np.asfortranarray(np.hstack([self.sums, np.zeros((n, 1))]))
        self.allowed = np.hstack([self.allowed, self.instance.available[:, [slot]]])
        self.everyone_allowed = self.everyone_allowed and bool(self.allowed[:, -1].all())
        if self.block_counts is not None:
            self.block_counts = np.asfortranarray(
                np.hstack([self.block_counts, np.zeros((n, 1), np.int32)])
            )
        return self.num_groups - 1

    def copy(self) -> Assignment:
        """An independent copy (the instance, weights and blocks are shared, not copied)."""
        twin = object.__new__(Assignment)
        twin.__dict__.update(self.__dict__)
        for name in ("group_of", "group_slot", "sizes", "roster", "position", "sums"):
            setattr(twin, name, getattr(self, name).copy(order="K"))
        twin.allowed = self.allowed.copy()
        twin.seats_left = self.seats_left.copy()
        if self.block_counts is not None:
            twin.block_counts = self.block_counts.copy(order="K")
        return twin

    def members(self, group: int) -> np.ndarray:
        """Member indices of a group."""
        return self.roster[group, : self.sizes[group]].copy()

    def unplaced_equal(self, i: int) -> np.ndarray:
        """Unplaced members with the same priority as i (they may trade places with i)."""
        if self.placed == self.instance.n:
            return np.empty(0, dtype=np.int64)
        priority = self.instance.priority
        return np.flatnonzero((self.group_of < 0) & (priority == priority[i]))

    def can_join(self, i: int, group: int, leaving: int = -1) -> bool:
        """Whether i may join `group` (slot, blocks, travel), `leaving` moving out at once."""
        if not self.allowed[i, group]:
            return False
        if self.block_counts is not None and self.blocks is not None:
            conflicts = self.block_counts[i, group]
            if leaving >= 0 and self.group_of[leaving] == group:
                conflicts -= self.blocks[i, leaving]
            if conflicts > 0:
                return False
        if self.travel is not None:
            members = self.members(group)
            if leaving >= 0:
                members = members[members != leaving]
            return self.travel.fits(np.append(members, i))
        return True

    def travel_ok_without(self, group: int, leaving: int) -> bool:
        """Whether a group still meets travel limits once `leaving` is gone."""
        if self.travel is None:
            return True
        members = self.members(group)
        return self.travel.fits(members[members != leaving])

    def move(self, i: int, group: int) -> None:
        """Move member i to `group` (-1 = unplace), updating sums, counts and seats."""
        old = self.group_of[i]
        if old == group:
            return
        column = self.weights[i]  # symmetric: the row is the column, and contiguous
        self.placed += int(group >= 0) - int(old >= 0)
        if old >= 0:
            self.sums[:, old] -= column
            last = self.roster[old, self.sizes[old] - 1]
            self.roster[old, self.position[i]] = last
            self.position[last] = self.position[i]
            self.roster[old, self.sizes[old] - 1] = -1
            self.sizes[old] -= 1
            self.seats_left[self.group_slot[old]] += 1
            if self.block_counts is not None and self.blocks is not None:
                self.block_counts[:, old] -= self.blocks[i]
        self.position[i] = -1
        if group >= 0:
            self.sums[:, group] += column
            self.roster[group, self.sizes[group]] = i
            self.position[i] = self.sizes[group]
            self.sizes[group] += 1
            self.seats_left[self.group_slot[group]] -= 1
            if self.block_counts is not None and self.blocks is not None:
                self.block_counts[:, group] += self.blocks[i]
        self.group_of[i] = group

    def fill(self, group: int, members: list[int]) -> None:
        """Put unplaced `members` into the empty `group` at once (as many `move`s would).

        One column update instead of one per member: construction places everyone this way.
        """
        if not members:
            return
        assert self.sizes[group] == 0 and (self.group_of[members] < 0).all()
        count = len(members)
        self.sums[:, group] += self.weights[members].sum(axis=0)
        self.roster[group, :count] = members
        self.position[members] = np.arange(count)
        self.sizes[group] = count
        self.placed += count
        self.seats_left[self.group_slot[group]] -= count
        if self.block_counts is not None and self.blocks is not None:
            self.block_counts[:, group] += self.blocks[members].sum(axis=0, dtype=np.int32)
        self.group_of[members] = group

    def swap(self, i: int, j: int) -> None:
        """Exchange the groups of members i and j."""
        gi, gj = int(self.group_of[i]), int(self.group_of[j])
        self.move(i, -1)
        self.move(j, gi)
        self.move(i, gj)
