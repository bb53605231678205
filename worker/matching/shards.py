"""Sharding for very large communities: split by region and slot, solve apart, merge.

Members are cut into regions by recursive bisection on their locations (or, without
locations, on a low-dimensional view of their features), so a shard holds people who
could meet; within a region each member gets one slot, and each (region, slot) is cut
into shards of at most `max_shard_size`. Shards are independent sub-instances; merging
concatenates their groups and repairs the borders by trying to place the leftovers in
groups with room or in new groups. `split_instance` / `merge_results` expose the same
steps on the JSON format so the worker can run shards as a Celery chord.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from worker.matching.construct import assign_slots, scarcity_order
from worker.matching.instance import Instance, parse_instance
from worker.matching.languages import language_split
from worker.matching.regions import bisect
from worker.matching.repair import repair
from worker.matching.result import Grouping, to_result
from worker.matching.serialise import instance_to_dict
from worker.matching.slot_choice import slots_by_neighbours
from worker.matching.state import Assignment

REGION_DIMENSIONS = 16
REPAIR_MEMBERS = 1200  # size of the border-repair sub-instance (leftovers + groups with room)
REGION_MAX = 15_000  # members per region for the slot choice


@dataclass
class Shard:
    """A sub-instance over `members` (indices into the parent instance)."""

    members: np.ndarray
    instance: Instance


def plan_shards(instance: Instance, max_shard_size: int, seed: int) -> list[Shard]:
    """Independent single-slot sub-instances of at most max_shard_size members each.

    Members free at some slot are first cut into regions of a few shards' size. Within a
    region each member gets one slot (scarcity first, then where its nearest neighbours
    are), with each slot's seats shared between regions in proportion to demand; each
    region's slot is then cut again into shards.
    """
    members = np.flatnonzero(instance.available.any(axis=1))
    if not len(members):
        return []
    size = max(max_shard_size, instance.max_size)
    points = _region_points(instance, members, seed)
    region_size = min(REGION_MAX, size * len(instance.seats))
    regions = [np.sort(members[part]) for part in bisect(points, region_size, instance.max_size)]
    region_seats = _share_seats(instance, regions)
    rng = np.random.default_rng(seed)
    shards = []
    for region, seats in zip(regions, region_seats, strict=True):
        sub = replace(instance.subset(region), seats=seats)
        order = scarcity_order(sub, rng)
        slot_of = assign_slots(sub, order)
        if len(instance.seats) > 1:
            slot_of = slots_by_neighbours(sub, slot_of, order)
        local_points = points[np.searchsorted(members, region)]
        for slot in range(len(instance.seats)):
            in_slot = np.flatnonzero(slot_of == slot)
            if not len(in_slot):
                continue
            for part in bisect(local_points[in_slot], size, instance.max_size):
                shards.append(_single_slot_shard(instance, region[in_slot[part]], slot))
    _share_num_groups(instance, shards)
    return shards


def _share_seats(instance: Instance, regions: list[np.ndarray]) -> np.ndarray:
    """Seats per region and slot, in proportion to how many there are free then."""
    demand = np.array([instance.available[region].sum(axis=0) for region in regions], float)
    total = demand.sum(axis=0)
    share = np.where(total > instance.seats, instance.seats / np.maximum(total, 1), 1.0)
    return np.where(np.isfinite(instance.seats), np.floor(demand * share), np.inf)


def _single_slot_shard(instance: Instance, members: np.ndarray, slot: int) -> Shard:
    members = np.sort(members)
    sub = instance.subset(members)
    available = np.zeros_like(sub.available)
    available[:, slot] = True
    seats = np.zeros_like(instance.seats)
    seats[slot] = len(members) if np.isfinite(instance.seats[slot]) else np.inf
    return Shard(members, replace(sub, available=available, seats=seats))


def _region_points(instance: Instance, members: np.ndarray, seed: int) -> np.ndarray:
    if not np.isnan(instance.location[members, 0]).all():
        points = instance.location[members].copy()
        points[np.isnan(points[:, 0])] = np.nanmean(points, axis=0)
        points[:, 1] *= np.cos(np.radians(points[:, 0]))
        return points
    matrix = instance.weights if instance.weights is not None else instance.features
    if matrix is None:
        return np.zeros((len(members), 1))
    rows = matrix[members]
    if sp.issparse(rows) or rows.shape[1] > 4 * REGION_DIMENSIONS:
        k = min(REGION_DIMENSIONS, rows.shape[1] - 1, len(members) - 1)
        if k < 1:
            return np.asarray(rows.todense() if sp.issparse(rows) else rows)
        return TruncatedSVD(k, random_state=seed).fit_transform(rows)
    return np.asarray(rows)


def _share_num_groups(instance: Instance, shards: list[Shard]) -> None:
    if instance.num_groups is None:
        return
    sizes = np.array([len(shard.members) for shard in shards])
    exact = instance.num_groups * sizes / max(1, sizes.sum())
    counts = np.minimum(np.floor(exact).astype(int), sizes // instance.min_size)
    for k in np.argsort(counts - exact, kind="stable"):
        if counts.sum() < instance.num_groups and (counts[k] + 1) * instance.min_size <= sizes[k]:
            counts[k] += 1
    for shard, count in zip(shards, counts, strict=True):
        shard.instance = replace(shard.instance, num_groups=int(count))


def merge_groupings(instance: Instance, parts: list[Grouping], seed: int) -> Grouping:
    """Concatenate shard groupings and try to place leftovers across shard borders."""
    merged = Grouping(
        [g for part in parts for g in part.groups], [s for part in parts for s in part.slots]
    )
    group_of = merged.group_of(instance.n)
    leftovers = np.flatnonzero((group_of < 0) & instance.available.any(axis=1))
    if not len(leftovers):
        return merged
    by_priority = np.argsort(-instance.priority[leftovers], kind="stable")
    leftovers = np.sort(leftovers[by_priority][: REPAIR_MEMBERS // 2])
    sizes = np.array([len(g) for g in merged.groups], dtype=np.int64)
    open_slots = np.asarray(instance.available[leftovers].any(axis=0))
    room = np.flatnonzero((sizes < instance.max_size) & open_slots[merged.slots])
    rng = np.random.default_rng(seed)
    room = rng.permutation(room)[: (REPAIR_MEMBERS - len(leftovers)) // instance.max_size]
    members = np.concatenate([leftovers, *[merged.groups[g] for g in room]])
    sub = instance.subset(members, num_groups=None if instance.num_groups is None else 0)
    used = np.bincount(
        np.array(merged.slots, dtype=np.int64), weights=sizes, minlength=len(instance.seats)
    )
    for g in room:
        used[merged.slots[g]] -= sizes[g]
    sub = replace(sub, seats=instance.seats - used)
    state = Assignment(sub, [merged.slots[g] for g in room])
    position = {int(m): k for k, m in enumerate(members)}
    for local_group, g in enumerate(room):
        for m in merged.groups[g]:
            state.move(position[int(m)], local_group)
    repair(state)
    repaired = Grouping.from_state(state, members)
    keep = np.setdiff1d(np.arange(len(merged.groups)), room)
    return Grouping(
        [merged.groups[g] for g in keep] + repaired.groups,
        [merged.slots[g] for g in keep] + repaired.slots,
    )


def split_instance(instance: dict, max_shard_size: int) -> list[dict]:
    """Split an instance dict into independent sub-instance dicts (in the instance's format).

    Each shard keeps one real slot; its members' languages go with it, so the shard's own
    `solve` applies the language rule, and `merge_results` repairs borders by language.
    """
    parsed = parse_instance(instance)
    return [
        instance_to_dict(shard.instance) for shard in plan_shards(parsed, max_shard_size, seed=0)
    ]


def merge_results(instance: dict, shard_results: list[dict]) -> dict:
    """Combine the results of `split_instance`'s shards into one result for `instance`."""
    started = time.monotonic()
    parsed = parse_instance(instance)
    index = {member_id: i for i, member_id in enumerate(parsed.ids)}
    slot_index = {slot_id: s for s, slot_id in enumerate(parsed.slot_ids)}
    parts = [
        Grouping(
            [np.array([index[m] for m in group["members"]]) for group in result["groups"]],
            [slot_index[group.get("slot")] for group in result["groups"]],
        )
        for result in shard_results
    ]
    split = language_split(parsed)
    if split is None:
        merged = merge_groupings(parsed, parts, seed=0)
    else:
        virtual = [split.to_virtual(part) for part in parts]
        merged = split.to_real(merge_groupings(split.instance, virtual, seed=0))
    seconds = sum(float(result.get("seconds", 0.0)) for result in shard_results)
    return to_result(parsed, merged, seconds + time.monotonic() - started)
