"""Pair weights and the objective of ../shared/matching-format.md, written independently.

The benches score every result with the engine's own ``objective``; this module is the
second opinion. It recomputes the same figure from the instance alone (IDF tag vectors,
cosine of explicit vectors, or the explicit ``weights``, plus ``pairs`` bonds), so an engine
bug that inflates its own score cannot inflate a benchmark table. The baselines and the
exact solver also take their pair weights from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

Instance = dict[str, Any]


def member_index(instance: Instance) -> dict[str, int]:
    """Map member id -> row index in ``instance["members"]``."""
    return {m["id"]: i for i, m in enumerate(instance["members"])}


def feature_matrix(instance: Instance) -> sparse.csr_matrix | np.ndarray | None:
    """L2-normalised feature rows (dense for vectors, sparse for tags); None with weights.

    Tags become binary IDF vectors exactly as ``TfidfVectorizer(binary=True)`` builds them.
    """
    members = instance["members"]
    if instance.get("weights") is not None:
        return None
    if members and all(m.get("vector") is not None for m in members):
        x = np.asarray([m["vector"] for m in members], dtype=np.float64)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    docs = [[str(t).lower() for t in m.get("interests") or []] for m in members]
    if not any(docs):
        return sparse.csr_matrix((len(members), 1))
    vec = TfidfVectorizer(analyzer=lambda tags: tags, binary=True, lowercase=False)
    return vec.fit_transform(docs).tocsr()


def explicit_weights(instance: Instance) -> dict[tuple[int, int], float]:
    """The ``weights`` entries as {(i, j): w} with i < j (repeated pairs add up)."""
    out: dict[tuple[int, int], float] = {}
    for i, j, w in instance.get("weights") or []:
        key = (min(int(i), int(j)), max(int(i), int(j)))
        out[key] = out.get(key, 0.0) + float(w)
    return out


def bond_map(instance: Instance) -> dict[tuple[int, int], float]:
    """The ``pairs`` bonds as {(i, j): total bond} with i < j."""
    idx = member_index(instance)
    out: dict[tuple[int, int], float] = {}
    for p in instance.get("pairs") or []:
        if p["a"] in idx and p["b"] in idx:
            a, b = idx[p["a"]], idx[p["b"]]
            key = (min(a, b), max(a, b))
            out[key] = out.get(key, 0.0) + float(p.get("bond", 0.0))
    return out


def dense_weights(instance: Instance) -> np.ndarray:
    """The full symmetric pair-weight matrix w(i, j) (zero diagonal); for small instances."""
    n = len(instance["members"])
    feats = feature_matrix(instance)
    if feats is None:
        w = np.zeros((n, n))
        for (i, j), v in explicit_weights(instance).items():
            w[i, j] += v
            w[j, i] += v
    else:
        w = feats @ feats.T
        w = w.toarray() if sparse.issparse(w) else np.asarray(w)
    for (i, j), b in bond_map(instance).items():
        w[i, j] += b
        w[j, i] += b
    np.fill_diagonal(w, 0.0)
    return w


class PairWeights:
    """Pair weights w(i, j) for any instance size, without an n x n matrix."""

    def __init__(self, instance: Instance) -> None:
        self.index = member_index(instance)
        self.n = len(instance["members"])
        self.features = feature_matrix(instance)
        self.explicit = explicit_weights(instance) if self.features is None else {}
        self.bonds = bond_map(instance)

    def group_totals(self, groups: Sequence[Sequence[int]]) -> np.ndarray:
        """Sum of w(i, j) over the pairs of each group of member rows (vectorised).

        With unit feature rows x, a group's similarity total is (|sum x|^2 - sum |x|^2) / 2.
        """
        out = np.zeros(len(groups))
        label = np.full(self.n, -1)
        for g, rows in enumerate(groups):
            label[list(rows)] = g
        if self.features is not None and len(groups):
            placed = np.flatnonzero(label >= 0)
            member_of = sparse.csr_matrix(
                (np.ones(len(placed)), (label[placed], placed)), shape=(len(groups), self.n)
            )
            sums = member_of @ self.features
            sq_sums = sums.multiply(sums).sum(1) if sparse.issparse(sums) else (sums**2).sum(1)
            x = self.features
            sq = np.asarray(x.multiply(x).sum(1) if sparse.issparse(x) else (x**2).sum(1)).ravel()
            own = np.bincount(label[placed], weights=sq[placed], minlength=len(groups))
            out += (np.asarray(sq_sums).ravel() - own) / 2.0
        for table in (self.explicit, self.bonds):
            for (i, j), v in table.items():
                if label[i] >= 0 and label[i] == label[j]:
                    out[label[i]] += v
        return out

    def group_total(self, rows: Sequence[int]) -> float:
        """Sum of w(i, j) over all pairs of the given member rows."""
        return float(self.group_totals([rows])[0])


def objective(instance: Instance, groups: Iterable[Sequence[str]]) -> float:
    """Total pair weight over every pair inside every group (the format's objective (2))."""
    pw = PairWeights(instance)
    return float(pw.group_totals([[pw.index[m] for m in g] for g in groups]).sum())
