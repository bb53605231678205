"""Validation of the pairwise fields: explicit `weights`, history `pairs` and `blocks`.

Each becomes a symmetric sparse matrix over member indices so the solver can add them to
move and swap deltas without pair loops.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from worker.matching.fields import InstanceError, as_dict, as_float, as_int, as_list, require


def parse_weights(raw: object, n: int) -> sp.csr_matrix:
    """`weights` = [[i, j, w], ...] by member index -> symmetric CSR (duplicates rejected)."""
    entries = as_list(raw, "weights")
    rows = np.empty(len(entries), dtype=np.int64)
    cols = np.empty(len(entries), dtype=np.int64)
    values = np.empty(len(entries))
    for k, entry in enumerate(entries):
        where = f"weights[{k}]"
        if not isinstance(entry, list) or len(entry) != 3:
            raise InstanceError(where, f"must be [i, j, weight], got {entry!r}")
        i = as_int(entry[0], f"{where}[0]", minimum=0)
        j = as_int(entry[1], f"{where}[1]", minimum=0)
        for position, index in ((0, i), (1, j)):
            if index >= n:
                raise InstanceError(
                    f"{where}[{position}]", f"member index {index} out of range (n = {n})"
                )
        if i == j:
            raise InstanceError(where, f"pairs a member with itself (index {i})")
        rows[k], cols[k] = min(i, j), max(i, j)
        values[k] = as_float(entry[2], f"{where}[2]")
    keys = rows * max(n, 1) + cols
    unique, first = np.unique(keys, return_index=True)
    if len(unique) < len(keys):
        seen = np.zeros(len(keys), dtype=bool)
        seen[first] = True
        k = int(np.flatnonzero(~seen)[0])
        raise InstanceError(f"weights[{k}]", f"duplicate pair ({rows[k]}, {cols[k]})")
    return _symmetric(rows, cols, values, n)


def parse_bonds(raw: object, index: dict[str, int]) -> sp.csr_matrix | None:
    """`pairs` = [{a, b, bond}] -> symmetric CSR of summed bonds, or None when absent."""
    if raw is None:
        return None
    rows, cols, values = [], [], []
    for k, pair in enumerate(as_list(raw, "pairs")):
        where = f"pairs[{k}]"
        as_dict(pair, where)
        a = _member(require(pair, "a", f"{where}.a"), index, f"{where}.a")
        b = _member(require(pair, "b", f"{where}.b"), index, f"{where}.b")
        if a == b:
            raise InstanceError(where, "pairs a member with itself")
        rows.append(a)
        cols.append(b)
        values.append(as_float(require(pair, "bond", f"{where}.bond"), f"{where}.bond"))
    if not rows:
        return None
    return _symmetric(np.array(rows), np.array(cols), np.array(values), len(index))


def parse_blocks(raw: object, index: dict[str, int]) -> sp.csr_matrix | None:
    """`blocks` = [[id, id], ...] -> symmetric 0/1 CSR, or None when absent."""
    if raw is None:
        return None
    rows, cols = [], []
    for k, pair in enumerate(as_list(raw, "blocks")):
        where = f"blocks[{k}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise InstanceError(where, f"must be [member id, member id], got {pair!r}")
        a = _member(pair[0], index, f"{where}[0]")
        b = _member(pair[1], index, f"{where}[1]")
        if a == b:
            raise InstanceError(where, f"blocks member {pair[0]!r} with themselves")
        rows.append(a)
        cols.append(b)
    if not rows:
        return None
    blocks = _symmetric(np.array(rows), np.array(cols), np.ones(len(rows)), len(index))
    blocks.data[:] = 1.0
    return blocks


def _member(value: object, index: dict[str, int], where: str) -> int:
    if not isinstance(value, str) or value not in index:
        raise InstanceError(where, f"unknown member id {value!r}")
    return index[value]


def _symmetric(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int) -> sp.csr_matrix:
    both_rows = np.concatenate([rows, cols])
    both_cols = np.concatenate([cols, rows])
    matrix = sp.coo_matrix((np.concatenate([values, values]), (both_rows, both_cols)), (n, n))
    return matrix.tocsr()  # duplicates are summed
