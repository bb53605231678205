"""Member features and pair weights: w(i, j) = sim(i, j) + bonds(i, j).

Tags become IDF-weighted binary vectors, L2-normalised, exactly as scikit-learn's
`TfidfVectorizer(binary=True)` computes them; explicit vectors are L2-normalised so the
dot product is the cosine similarity. With explicit weights those replace `sim`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

if TYPE_CHECKING:
    from worker.matching.instance import Instance


def _tags_as_tokens(tags: list[str]) -> list[str]:
    return tags


def tag_features(interests: list[list[str]]) -> sp.csr_matrix:
    """IDF-weighted binary tag vectors, L2-normalised (each tag is one token)."""
    if not any(interests):
        return sp.csr_matrix((len(interests), 1))
    vectorizer = TfidfVectorizer(binary=True, analyzer=_tags_as_tokens)
    return vectorizer.fit_transform(interests).tocsr()


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Divide each row by its L2 norm; zero rows stay zero (similar to nobody)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def dense_pair_weights(instance: Instance) -> np.ndarray:
    """The full n x n matrix of w(i, j) with a zero diagonal (for n up to a few thousand)."""
    return pair_weight_block(instance, np.arange(instance.n))


def pair_weight_block(instance: Instance, members: np.ndarray) -> np.ndarray:
    """w(i, j) for i, j in `members` (zero diagonal)."""
    k = len(members)
    if instance.weights is not None:
        weights = instance.weights[members][:, members].toarray()
    elif instance.features is None:
        weights = np.zeros((k, k))
    else:
        rows = instance.features[members]
        weights = np.asarray(rows @ _dense_transposed(rows))
    weights = np.asarray(weights, dtype=np.float64)
    if instance.bonds is not None:
        _add_sparse(weights, instance.bonds[members][:, members])
    np.fill_diagonal(weights, 0.0)
    return weights


def _dense_transposed(features: Any) -> np.ndarray:
    """features.T as a C-ordered dense array (for sparse features, the used columns only).

    Multiplying sparse rows by this gives a dense product directly; with many shared tags
    the product is nearly dense, and building it sparse first costs several times more.
    """
    if not sp.issparse(features):
        return np.ascontiguousarray(np.asarray(features).T)
    return sp.csr_matrix(features).T.tocsr().toarray()  # C order straight away: no copy


def _add_sparse(dense: np.ndarray, matrix: sp.spmatrix) -> None:
    """dense += matrix, touching only the sparse matrix's entries (no dense copy of it)."""
    coo = sp.coo_matrix(matrix)
    np.add.at(dense, (coo.row, coo.col), coo.data)


def pair_weight_rows(
    instance: Instance, rows: np.ndarray, right: np.ndarray | None = None, dtype: type = np.float64
) -> np.ndarray:
    """w(i, j) for i in `rows` and every member j (w(i, i) = 0), without an n x n matrix.

    `right` is `_dense_transposed(instance.features)` (in `dtype`), when the caller
    computes it once for many calls; float32 halves the memory traffic for rankings.
    """
    n = instance.n
    if instance.weights is not None:
        block = instance.weights[rows].toarray()
    elif instance.features is None:
        block = np.zeros((len(rows), n))
    else:
        if right is None:
            right = _dense_transposed(instance.features).astype(dtype, copy=False)
        block = np.asarray(instance.features[rows].astype(dtype) @ right)
    block = np.asarray(block, dtype=dtype)
    if instance.bonds is not None:
        _add_sparse(block, instance.bonds[rows])
    block[np.arange(len(rows)), rows] = 0.0
    return block


def nearest_neighbours(
    instance: Instance,
    k: int,
    chunk: int = 1000,
    rows: np.ndarray | None = None,
    share_slot: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The k highest-weight partners of each member (or of `rows` only) and those weights.

    Row r of the result belongs to member `rows[r]` (member r without `rows`); computed in
    chunks of rows so no n x n matrix is ever held. With `share_slot`, only members who
    share an available slot count (the only ones who could ever be in a group together).
    """
    members = np.arange(instance.n) if rows is None else np.asarray(rows, dtype=np.int64)
    neighbours = np.zeros((len(members), k), dtype=np.int64)
    strength = np.zeros((len(members), k))
    right = None
    if instance.weights is None and instance.features is not None:
        right = _dense_transposed(instance.features).astype(np.float32)
    codes = _slot_codes(instance.available) if share_slot else None
    for start in range(0, len(members), chunk):
        part = slice(start, min(len(members), start + chunk))
        block = pair_weight_rows(instance, members[part], right, np.float32)
        block[np.arange(len(block)), members[part]] = -np.inf
        if codes is not None:
            _mask_apart(block, codes[members[part]], codes, instance.available)
        top = top_k_columns(block, k)
        neighbours[part] = top
        strength[part] = np.take_along_axis(block, top, axis=1)
    return neighbours, strength


def _mask_apart(
    block: np.ndarray, row_codes: np.ndarray, codes: np.ndarray, available: np.ndarray
) -> None:
    """Set -inf where a row's member and a column's member share no slot.

    Rows free at every slot share one with anyone free at some slot, so for them only
    the columns of members without slots are masked (no rows x n comparison).
    """
    if available.shape[1] > 64:  # codes are member indices: compare availability rows
        share = available[row_codes].astype(np.float32) @ available.T.astype(np.float32)
        block[share == 0] = -np.inf
        return
    everywhere = row_codes == np.bitwise_or.reduce(codes)
    if everywhere.all():
        block[:, codes == 0] = -np.inf
        return
    apart = (row_codes[:, None] & codes[None, :]) == 0
    if apart.any():
        np.putmask(block, apart, -np.inf)


def _slot_codes(available: np.ndarray) -> np.ndarray:
    """Each member's available slots as bits (members who share a slot share a bit).

    Up to 64 slots; with more, one code per member would not fit, so the codes are the
    member indices and `_mask_apart` compares availability rows instead.
    """
    slots = available.shape[1]
    if slots <= 64:
        dtype = np.uint8 if slots <= 8 else np.uint64
        return (available.astype(dtype) << np.arange(slots, dtype=dtype)).sum(1, dtype=dtype)
    return np.arange(len(available))


TOP_K_BLOCK = 64


def top_k_columns(block: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest entries of each row (any order, like argpartition).

    argpartition over every entry costs most of a neighbour search; instead the k-th
    largest of the maxima of column blocks bounds each row's k-th largest value from
    below, and only the few entries at or above it are ranked.
    """
    rows, cols = block.shape
    if k <= 0 or rows == 0:
        return np.zeros((rows, max(k, 0)), dtype=np.int64)
    width = min(TOP_K_BLOCK, cols // (2 * k))
    if width < 8:
        return np.argpartition(-block, k - 1, axis=1)[:, :k]
    full = cols // width * width
    maxima = block[:, :full].reshape(rows, -1, width).max(axis=2)
    if full < cols:
        maxima = np.hstack([maxima, block[:, full:].max(axis=1, keepdims=True)])
    bound = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, -k]
    if not np.isfinite(bound).all():  # rows with fewer than k finite entries: plain way
        return np.argpartition(-block, k - 1, axis=1)[:, :k]
    r, c = np.nonzero(block >= bound[:, None])  # at least k per row, row by row
    counts = np.bincount(r, minlength=rows)
    heavy = counts > 4 * k  # many ties at the bound (e.g. a row of zeros): plain way
    if heavy.any():
        light = ~heavy[r]
        r, c = r[light], c[light]
        counts[heavy] = 0
    position = np.arange(len(r)) - (np.cumsum(counts) - counts)[r]
    values = np.full((rows, max(k, int(counts.max()))), -np.inf, dtype=block.dtype)
    values[r, position] = block[r, c]
    columns = np.zeros(values.shape, dtype=np.int64)
    columns[r, position] = c
    top = np.take_along_axis(columns, np.argpartition(-values, k - 1, axis=1)[:, :k], axis=1)
    if heavy.any():
        top[heavy] = np.argpartition(-block[heavy], k - 1, axis=1)[:, :k]
    return top


def group_scores(instance: Instance, groups: list[np.ndarray]) -> np.ndarray:
    """Total pair weight inside each group, for all groups at once.

    Similarity uses sum_{i<j} v_i.v_j = (|sum v|^2 - sum |v|^2) / 2 per group; explicit
    weights and bonds are summed over the listed pairs whose ends share a group.
    """
    group_of = np.full(instance.n, -1, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[np.asarray(members, dtype=np.int64)] = g
    placed = np.flatnonzero(group_of >= 0)
    count = len(groups)
    onehot = sp.csr_matrix(
        (np.ones(len(placed)), (group_of[placed], placed)), shape=(count, instance.n)
    )
    scores = np.zeros(count)
    if instance.features is not None:
        features: Any = instance.features
        sums = onehot @ features
        squares = features.multiply(features) if sp.issparse(features) else features**2
        if sp.issparse(sums):
            together = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
        else:
            together = (sums**2).sum(axis=1)
        scores += (together - np.asarray(onehot @ squares.sum(axis=1)).ravel()) / 2
    for pairs in (instance.weights, instance.bonds):
        if pairs is not None:
            upper = sp.triu(pairs, k=1).tocoo()
            same = (group_of[upper.row] >= 0) & (group_of[upper.row] == group_of[upper.col])
            scores += np.bincount(group_of[upper.row[same]], upper.data[same], minlength=count)
    return scores


def dense_features(instance: Instance) -> np.ndarray | None:
    """Interest features as a dense array (only the tag columns present in this instance).

    Blended about columns (format v2) are left out: they are rebuilt from the texts.
    """
    features: Any = instance.features
    if features is not None and instance.about_columns:
        features = features[:, : features.shape[1] - instance.about_columns]
    if features is None or not sp.issparse(features):
        return features
    used = np.unique(features.indices)
    if not len(used):  # no tag at all (or interest_weight 0): one zero column, not none
        return np.zeros((features.shape[0], 1))
    return features[:, used].toarray()
