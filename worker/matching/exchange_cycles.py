"""Cyclic exchanges: three members each take the next one's seat, in three full groups.

The largest allowed groups score highest, so most groups end up full, and then a member
can change group only by trading seats. Pairwise swaps stall where i would rather sit in
B, j in C and k in A while no two of them want each other's seats. A cycle i -> j -> k
(i takes j's seat, j takes k's, k takes i's) over three distinct groups changes the total
by c(i, j) + c(j, k) + c(k, i), where c(x, y) = A[x, g(y)] - W[x, y] - A[x, g(x)] is what
x gains by taking y's seat: three lookups per cycle, as a swap is two (the cyclic-exchange
neighbourhood of Ahuja, Orlin and Sharma, here with cycles of two and three).

Each round lists every member's `SEATS` best seats to take among the groups it likes
most, scores swaps and 3-cycles over those lists, and applies the best improving ones
whose groups are pairwise disjoint, like the batched descent. A positive 3-cycle has an
edge at least as large as each of the other two, so it is only looked for from that
edge: a first edge c1 > 0 and a second edge in (-2 c1, c1], which keeps the search to a
small share of all two-step paths. Cycles keep every group's size, so seats are unchanged.
"""

from __future__ import annotations

import time

import numpy as np

from worker.matching.batch_search import liked_groups
from worker.matching.state import Assignment

LIKED = 12  # groups per member whose seats are considered
LIKED_REFRESH = 4  # rounds between recomputing the liked groups (the costliest step)
SEATS = 32  # best seats listed per member; each 3-cycle's second step is within these too
EPSILON = 1e-9


def exchange_descend(state: Assignment, max_rounds: int, deadline: float) -> int:
    """Rounds of disjoint improving swaps and 3-cycles until none is left; returns them."""
    made = 0
    if state.num_groups < 2 or state.placed < 4:
        return made
    stale = LIKED_REFRESH
    for _ in range(max_rounds):
        if time.monotonic() > deadline:
            break
        fresh = stale >= LIKED_REFRESH
        if fresh:
            own_group = np.where(state.group_of >= 0, state.group_of, 0)
            liked, stale = liked_groups(state, own_group, LIKED), 0
        gains, first, second = _best_exchanges(state, liked)
        applied = _apply_disjoint(state, gains, first, second)
        made += applied
        stale = stale + 1 if applied else LIKED_REFRESH  # none left: look again with fresh lists
        if fresh and not applied:
            break
    return made


def _best_exchanges(
    state: Assignment, liked: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per member: best gain, whose seat it takes, and the third member (-1 for a swap)."""
    n = state.instance.n
    index = np.arange(n)
    own_group = np.where(state.group_of >= 0, state.group_of, 0)
    own = state.sums[index, own_group]
    seat, edge = _best_seats(state, liked, own_group, own)
    back = state.sums[seat, own_group[:, None]] - state.weights[index[:, None], seat] - own[seat]
    if not state.everyone_allowed:
        back[~state.allowed[seat, own_group[:, None]]] = -np.inf
    swap = edge + back
    best = np.argmax(swap, axis=1)
    gains = swap[index, best]
    first = seat[index, best]
    second = np.full(n, -1, dtype=np.int64)
    i, j, k, total = _three_cycles(state, seat, edge, own_group, own)
    if len(i):
        starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])  # i is sorted
        peak = np.maximum.reduceat(total, starts)
        lengths = np.diff(np.r_[starts, len(i)])
        hits = np.flatnonzero(total == np.repeat(peak, lengths))
        pick = hits[np.r_[True, i[hits[1:]] != i[hits[:-1]]]]  # first hit per member
        better = total[pick] > gains[i[pick]]
        pick = pick[better]
        gains[i[pick]] = total[pick]
        first[i[pick]] = j[pick]
        second[i[pick]] = k[pick]
    return gains, first, second


def _best_seats(
    state: Assignment, liked: np.ndarray, own_group: np.ndarray, own: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's best seats to take (members, n x SEATS) and their gains, best first.

    Unplaced members, empty roster places and groups a member may not join get -inf.
    """
    n, size = state.instance.n, state.instance.max_size
    rows = np.arange(n)[:, None]
    seat = state.roster[liked].reshape(n, -1)
    valid = (seat >= 0) & (state.group_of >= 0)[:, None]
    valid &= np.repeat(liked != own_group[:, None], size, axis=1)  # lists may be rounds old
    if not state.everyone_allowed:
        valid &= np.repeat(state.allowed[rows, liked], size, axis=1)
    seat = np.where(valid, seat, 0)
    edge = np.repeat(state.sums[rows, liked] - own[:, None], size, axis=1)
    edge -= state.weights[rows, seat]
    edge[~valid] = -np.inf
    if edge.shape[1] > SEATS:
        top = np.argpartition(-edge, SEATS - 1, axis=1)[:, :SEATS]
        seat, edge = np.take_along_axis(seat, top, 1), np.take_along_axis(edge, top, 1)
    order = np.argsort(-edge, axis=1, kind="stable")
    return np.take_along_axis(seat, order, 1), np.take_along_axis(edge, order, 1)


def _three_cycles(
    state: Assignment, seat: np.ndarray, edge: np.ndarray, own_group: np.ndarray, own: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate cycles (i, j, k) with their exact gains, sorted by i.

    The first edge i -> j is the cycle's largest, so it is positive and the second edge
    j -> k lies in (-2 c1, c1]; the closing edge k -> i is computed exactly.
    """
    rows, cols = np.nonzero(edge > EPSILON)
    j = seat[rows, cols]
    c1 = edge[rows, cols]
    c2 = edge[j]  # j's listed seats, m x SEATS
    window = (c2 <= c1[:, None]) & (c2 > -2 * c1[:, None])
    pair, col = np.nonzero(window)
    i, j, c1 = rows[pair], j[pair], c1[pair]
    k, c2 = seat[j, col], c2[pair, col]
    home = own_group[i]
    ok = own_group[k] != home  # also excludes k == i; k is never in j's group
    if not state.everyone_allowed:
        ok &= state.allowed[k, home]
    i, j, k, home = i[ok], j[ok], k[ok], home[ok]
    total = c1[ok] + c2[ok] + state.sums[k, home] - state.weights[i, k] - own[k]
    return i, j, k, total


def _apply_disjoint(
    state: Assignment, gains: np.ndarray, first: np.ndarray, second: np.ndarray
) -> int:
    """Apply improving exchanges, best first, touching each group at most once."""
    touched = np.zeros(state.num_groups, dtype=bool)
    applied = 0
    improving = np.flatnonzero(gains > EPSILON)
    for i in improving[np.argsort(-gains[improving], kind="stable")].tolist():
        j, k = int(first[i]), int(second[i])
        cycle = [i, j] if k < 0 else [i, j, k]
        groups = [int(state.group_of[m]) for m in cycle]
        if touched[groups].any() or not _keeps_rules(state, cycle, groups):
            continue
        for m in cycle:
            state.move(m, -1)
        for m, g in zip(cycle, groups[1:] + groups[:1], strict=True):
            state.move(m, g)
        touched[groups] = True
        applied += 1
    return applied


def _keeps_rules(state: Assignment, cycle: list[int], groups: list[int]) -> bool:
    """Blocks and travel limits once each member of the cycle takes the next one's seat.

    Slots were checked when the cycle was scored, and sizes and seats do not change.
    """
    takes = list(zip(cycle, cycle[1:] + cycle[:1], groups[1:] + groups[:1], strict=True))
    if state.block_counts is not None and state.blocks is not None:
        for m, leaving, g in takes:
            if state.block_counts[m, g] - state.blocks[m, leaving] > 0:
                return False
    if state.travel is not None:
        for m, leaving, g in takes:
            members = state.members(g)
            if not state.travel.fits(np.append(members[members != leaving], m)):
                return False
    return True
