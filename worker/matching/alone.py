"""Who is alone: placed members whose best companion in their group has w(i, j) <= 0.

Reported in every result (`alone`). Computed from the within-group pairs only (about
max_size^2 / 2 per group, all groups at once), so it costs little even at 100,000 members.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from worker.matching.instance import Instance


def pair_values(instance: Instance, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """w(a[k], b[k]) for each k (features' dot product or listed weight, plus bonds)."""
    values = np.zeros(len(a))
    if not len(a):
        return values
    if instance.weights is not None:
        values += np.asarray(instance.weights[a, b]).ravel()
    elif instance.features is not None:
        left, right = instance.features[a], instance.features[b]
        if sp.issparse(left):
            values += np.asarray(left.multiply(right).sum(axis=1)).ravel()
        else:
            values += np.einsum("ij,ij->i", left, right)
    if instance.bonds is not None:
        values += np.asarray(instance.bonds[a, b]).ravel()
    return values


def alone_mask(instance: Instance, groups: list[np.ndarray]) -> np.ndarray:
    """Mask of placed members without a companion of positive pair weight in their group."""
    best = np.full(instance.n, -np.inf)
    placed = np.zeros(instance.n, dtype=bool)
    width = max((len(members) for members in groups), default=0)
    roster = np.full((len(groups), width), -1, dtype=np.int64)
    for g, members in enumerate(groups):
        roster[g, : len(members)] = members
        placed[np.asarray(members, dtype=np.int64)] = True
    x, y = np.triu_indices(width, k=1)
    a, b = roster[:, x].ravel(), roster[:, y].ravel()
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    values = pair_values(instance, a, b)
    np.maximum.at(best, a, values)
    np.maximum.at(best, b, values)
    return placed & (best <= 0)
