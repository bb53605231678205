"""Format v2 finishing passes, run after the search on v2 instances only (v1 is unchanged).

Preferred group size (soft): members move between groups of the same slot when that
brings members' group sizes nearer their `preferred_size` (the total of |size - preferred|
over members with a preference falls) and costs at most `SIZE_COST` pair weight per unit
of that distance removed. Sizes stay within [min, max], every hard rule is kept, and no
move leaves a member alone who was not.

No one alone: a placed member is alone when every companion in its group has w <= 0.
Each alone member is moved to a group where someone has w > 0 with it, or swapped with a
member of such a group, when that costs at most `ALONE_MAX_LOSS` pair weight and leaves
nobody else newly alone (the cheapest such change first). Both passes only need the
dense weights and weight sums the search keeps, so they cost little.
"""

from __future__ import annotations

import numpy as np

from worker.matching.features import top_k_columns
from worker.matching.state import Assignment

SIZE_COST = 0.1  # pair weight a preferred-size move may lose per unit of size distance removed
SIZE_ROUNDS = 8  # rounds of disjoint preferred-size moves
SIZE_TARGETS = 12  # groups per member considered (those it has the most weight with)
ALONE_MAX_LOSS = 0.5  # pair weight one alone member's fix may cost at most
EPSILON = 1e-9


def finish(state: Assignment) -> None:
    """Honour preferred sizes where cheap, then give alone members a companion."""
    if state.instance.preferred_size is not None:
        prefer_sizes(state)
    fix_alone(state)


def best_companion(state: Assignment, members: np.ndarray) -> np.ndarray:
    """Each member's highest pair weight to someone in its own group (-inf if none)."""
    members = np.asarray(members, dtype=np.int64)
    others = state.roster[state.group_of[members]]
    values = state.weights[members[:, None], np.where(others >= 0, others, 0)]
    values[(others < 0) | (others == members[:, None])] = -np.inf
    return values.max(axis=1) if values.shape[1] else np.full(len(members), -np.inf)


def alone_members(state: Assignment) -> np.ndarray:
    """Placed members without a companion of positive weight."""
    placed = np.flatnonzero(state.group_of >= 0)
    return placed[best_companion(state, placed) <= 0]


def _positive_counts(state: Assignment, i: int) -> np.ndarray:
    """Per group, how many of its members other than i have w > 0 with i."""
    placed = (state.group_of >= 0) & (state.weights[i] > 0)
    placed[i] = False
    return np.bincount(state.group_of[placed], minlength=state.num_groups)


def _leaves_nobody_alone(state: Assignment, group: int, leaving: int, joining: int) -> bool:
    """Whether `group` keeps everyone who had a companion in it once `leaving` is replaced.

    `joining` (-1 for none) becomes a companion of everyone who stays.
    """
    stay = state.members(group)
    stay = stay[stay != leaving]
    if not len(stay):
        return True
    had = best_companion(state, stay) > 0
    among = state.weights[np.ix_(stay, stay)]
    np.fill_diagonal(among, -np.inf)
    best = among.max(axis=1) if len(stay) > 1 else np.full(len(stay), -np.inf)
    if joining >= 0:
        best = np.maximum(best, state.weights[stay, joining])
    return bool((best[had] > 0).all())


def fix_alone(state: Assignment) -> int:
    """Give alone members a companion where it is cheap; returns how many were fixed."""
    fixed = 0
    for i in alone_members(state).tolist():
        if state.group_of[i] < 0 or best_companion(state, np.array([i]))[0] > 0:
            continue
        options = _alone_moves(state, i) + _alone_swaps(state, i)
        for loss, j, h in sorted(options):
            if loss > ALONE_MAX_LOSS + EPSILON:
                break
            if _apply_fix(state, i, j, h):
                fixed += 1
                break
    return fixed


def _alone_moves(state: Assignment, i: int) -> list[tuple[float, int, int]]:
    """(loss, -1, group) for groups i may join that hold someone with w > 0 with i."""
    g = int(state.group_of[i])
    lo, hi = state.instance.min_size, state.instance.max_size
    if state.sizes[g] <= lo:
        return []
    mask = (state.sizes > 0) & (state.sizes < hi) & state.allowed[i]
    mask &= (state.group_slot == state.group_slot[g]) | (state.seats_left[state.group_slot] >= 1)
    if state.block_counts is not None:
        mask &= state.block_counts[i] == 0
    mask[g] = False
    mask &= _positive_counts(state, i) > 0
    return [(float(state.sums[i, g] - state.sums[i, h]), -1, int(h)) for h in np.flatnonzero(mask)]


def _alone_swaps(state: Assignment, i: int) -> list[tuple[float, int, int]]:
    """(loss, partner, group) for swaps that give i a companion and keep the partner's."""
    g = int(state.group_of[i])
    partners = np.flatnonzero((state.group_of >= 0) & (state.group_of != g))
    h = state.group_of[partners]
    ok = state.allowed[i, h] & state.allowed[partners, g]
    if state.block_counts is not None and state.blocks is not None:
        b = state.blocks[i, partners]
        ok &= (state.block_counts[i, h] - b == 0) & (state.block_counts[partners, g] - b == 0)
    ok &= _positive_counts(state, i)[h] - (state.weights[i, partners] > 0) >= 1
    partners, h = partners[ok], h[ok]
    mine = state.members(g)
    mine = mine[mine != i]
    partner_keeps = (state.weights[np.ix_(partners, mine)] > 0).any(axis=1)
    partner_keeps |= best_companion(state, partners) <= 0  # already alone: no worse
    gain = (
        state.sums[i, h]
        - state.sums[i, g]
        + state.sums[partners, g]
        - state.sums[partners, h]
        - 2 * state.weights[i, partners]
    )
    keep = np.flatnonzero(partner_keeps & (-gain <= ALONE_MAX_LOSS + EPSILON))
    return [(float(-gain[k]), int(partners[k]), int(h[k])) for k in keep]


def _apply_fix(state: Assignment, i: int, j: int, h: int) -> bool:
    """Move i to h (j = -1) or swap i and j, if travel and h's companions allow it."""
    g = int(state.group_of[i])
    if j < 0:
        if not (state.can_join(i, h) and state.travel_ok_without(g, i)):
            return False
        state.move(i, h)
        return True
    if not _leaves_nobody_alone(state, h, j, i):
        return False
    if not (state.can_join(i, h, leaving=j) and state.can_join(j, g, leaving=i)):
        return False
    state.swap(i, j)
    return True


def prefer_sizes(state: Assignment) -> int:
    """Rounds of disjoint cheap moves towards preferred sizes; returns moves made."""
    made = 0
    for _ in range(SIZE_ROUNDS):
        applied = _size_round(state)
        made += applied
        if not applied:
            break
    return made


def _distance_change(state: Assignment) -> tuple[np.ndarray, np.ndarray]:
    """Per group: change of the members' total size distance if it shrinks / grows by one."""
    preferred = state.instance.preferred_size
    assert preferred is not None
    placed = np.flatnonzero((state.group_of >= 0) & (preferred > 0))
    g = state.group_of[placed]
    size, wish = state.sizes[g], preferred[placed]
    now = np.abs(size - wish)
    down = np.bincount(g, np.abs(size - 1 - wish) - now, minlength=state.num_groups)
    up = np.bincount(g, np.abs(size + 1 - wish) - now, minlength=state.num_groups)
    return down, up


def _size_round(state: Assignment) -> int:
    preferred = state.instance.preferred_size
    assert preferred is not None
    lo, hi = state.instance.min_size, state.instance.max_size
    if lo == hi:
        return 0
    down, up = _distance_change(state)
    movers = np.flatnonzero(state.group_of >= 0)
    movers = movers[state.sizes[state.group_of[movers]] > lo]
    if not len(movers) or state.num_groups < 2:
        return 0
    g = state.group_of[movers]
    size, wish = state.sizes[g], preferred[movers]
    has = wish > 0
    leave = down[g] - np.where(has, np.abs(size - 1 - wish) - np.abs(size - wish), 0)
    leave -= np.where(has, np.abs(size - wish), 0)  # the mover's own term, re-added on joining
    open_ = (state.sizes > 0) & (state.sizes < hi)
    if not open_.any():
        return 0
    hopeful = leave + up[open_].min() < -EPSILON  # joining adds at least min(up) (own term >= 0)
    movers, g, size, wish, has, leave = (x[hopeful] for x in (movers, g, size, wish, has, leave))
    if not len(movers):
        return 0
    columns = np.flatnonzero(open_ & (up < -leave.min() - EPSILON))  # groups that can help
    if not len(columns):
        return 0
    score = np.where(
        state.allowed[np.ix_(movers, columns)], state.sums[np.ix_(movers, columns)], -np.inf
    )
    score[state.group_slot[columns][None, :] != state.group_slot[g][:, None]] = -np.inf
    score[columns[None, :] == g[:, None]] = -np.inf
    targets = columns[top_k_columns(score, min(SIZE_TARGETS, len(columns)))]
    reachable = np.isfinite(state.sums[movers[:, None], targets]) & (targets != g[:, None])
    reachable &= state.allowed[movers[:, None], targets]
    reachable &= state.group_slot[targets] == state.group_slot[g][:, None]
    target_size = state.sizes[targets]
    join = up[targets] + np.where(has[:, None], np.abs(target_size + 1 - wish[:, None]), 0)
    change = leave[:, None] + join
    loss = state.sums[movers, g][:, None] - state.sums[movers[:, None], targets]
    ok = reachable & (change < -EPSILON) & (loss <= SIZE_COST * -change + EPSILON)
    if state.block_counts is not None:
        ok &= state.block_counts[movers[:, None], targets] == 0
    change = np.where(ok, change, np.inf)
    best = np.argmin(change + 1e-6 * np.maximum(loss, 0), axis=1)
    rows = np.flatnonzero(np.isfinite(change[np.arange(len(movers)), best]))
    order = rows[np.argsort(change[rows, best[rows]], kind="stable")]
    touched = np.zeros(state.num_groups, dtype=bool)
    applied = 0
    for r in order.tolist():
        i, h = int(movers[r]), int(targets[r, best[r]])
        own = int(state.group_of[i])
        if touched[own] or touched[h]:
            continue
        keeps_company = (
            best_companion(state, np.array([i]))[0] <= 0
            or (state.weights[i, state.members(h)] > 0).any()
        )
        if not keeps_company or not _leaves_nobody_alone(state, own, i, -1):
            continue
        if not (state.can_join(i, h) and state.travel_ok_without(own, i)):
            continue
        state.move(i, h)
        touched[own] = touched[h] = True
        applied += 1
    return applied
