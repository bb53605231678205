"""Write a parsed (sub-)instance back as an instance dict in the shared format.

Used for shards sent to other workers. Tag features are written as each member's
`vector` (the globally IDF-weighted, normalised tag vector, restricted to the tags the
shard uses) so similarities do not change when IDF would be recomputed on the shard;
`interests` are kept for `why`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from worker.matching.features import dense_features
from worker.matching.instance import Instance


def instance_to_dict(instance: Instance) -> dict:
    """The instance as a JSON-ready dict."""
    slots = range(len(instance.slot_ids))
    out: dict = {"group_size": {"min": instance.min_size, "max": instance.max_size}}
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


def _slot(instance: Instance, s: int) -> dict:
    slot: dict = {"id": instance.slot_ids[s]}
    if np.isfinite(instance.seats[s]):
        slot["seats"] = int(instance.seats[s])
    return slot


def _upper(matrix: sp.csr_matrix) -> list[tuple[int, int, float]]:
    upper = sp.triu(matrix, k=1).tocoo()
    keep = upper.data != 0
    return [
        (int(i), int(j), float(w))
        for i, j, w in zip(upper.row[keep], upper.col[keep], upper.data[keep], strict=True)
    ]
