"""Write a parsed (sub-)instance back as an instance dict in the shared format.

Used for shards sent to other workers. Tag features are written as each member's
`vector` (the globally IDF-weighted, normalised tag vector, restricted to the tags the
shard uses) so similarities do not change when IDF would be recomputed on the shard;
`interests` are kept for `why`. Format v2 fields are written back as given (availability
already narrowed to venues in reach); a shard rebuilds its about-text TF-IDF from its own
members' texts, so its about similarities use the shard's term frequencies.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from worker.matching.about import INTEREST_WEIGHT
from worker.matching.features import dense_features
from worker.matching.instance import Instance


def instance_to_dict(instance: Instance) -> dict:
    """The instance as a JSON-ready dict."""
    slots = range(len(instance.slot_ids))
    out: dict = {"group_size": {"min": instance.min_size, "max": instance.max_size}}
    if instance.v2:
        out["version"] = 2
        out["about_weight"] = instance.about_weight
        if instance.interest_weight != INTEREST_WEIGHT:
            # vectors below carry the scaled rows; parsing normalises them, then rescales
            out["interest_weight"] = instance.interest_weight
    if instance.num_groups is not None:
        out["num_groups"] = instance.num_groups
    real_slots = instance.slot_ids != [None]
    if real_slots:
        out["slots"] = [_slot(instance, s) for s in slots]
    vectors = dense_features(instance)
    members = []
    for i, member_id in enumerate(instance.ids):
        member: dict = {"id": member_id, "priority": float(instance.priority[i])}
        if instance.interests[i]:
            member["interests"] = list(instance.interests[i])
        if real_slots:
            member["available"] = [instance.slot_ids[s] for s in slots if instance.available[i, s]]
        elif not instance.available[i, 0]:
            member["available"] = []
        if vectors is not None:
            member["vector"] = [float(x) for x in vectors[i]]
        if not np.isnan(instance.location[i, 0]):
            member["location"] = [float(x) for x in instance.location[i]]
        if np.isfinite(instance.max_km[i]):
            member["max_km"] = float(instance.max_km[i])
        _v2_member(instance, i, member)
        members.append(member)
    out["members"] = members
    if instance.weights is not None:
        out["weights"] = [[i, j, w] for i, j, w in _upper(instance.weights)]
    if instance.bonds is not None:
        out["pairs"] = [
            {"a": instance.ids[i], "b": instance.ids[j], "bond": w}
            for i, j, w in _upper(instance.bonds)
        ]
    if instance.blocks is not None:
        out["blocks"] = [[instance.ids[i], instance.ids[j]] for i, j, _ in _upper(instance.blocks)]
    return out


def _v2_member(instance: Instance, i: int, member: dict) -> None:
    if instance.languages is not None and instance.languages[i]:
        member["languages"] = list(instance.languages[i])
    if instance.about is not None and instance.about[i]:
        member["about"] = instance.about[i]
    if instance.preferred_size is not None and instance.preferred_size[i]:
        member["preferred_size"] = int(instance.preferred_size[i])


def _slot(instance: Instance, s: int) -> dict:
    slot: dict = {"id": instance.slot_ids[s]}
    if np.isfinite(instance.seats[s]):
        slot["seats"] = int(instance.seats[s])
    if instance.slot_location is not None and not np.isnan(instance.slot_location[s, 0]):
        slot["location"] = [float(x) for x in instance.slot_location[s]]
    return slot


def _upper(matrix: sp.csr_matrix) -> list[tuple[int, int, float]]:
    upper = sp.triu(matrix, k=1).tocoo()
    keep = upper.data != 0
    return [
        (int(i), int(j), float(w))
        for i, j, w in zip(upper.row[keep], upper.col[keep], upper.data[keep], strict=True)
    ]
