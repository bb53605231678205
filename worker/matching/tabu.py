"""Iterated tabu search over swaps (and moves) with the whole neighbourhood in numpy.

This is the strong path for dense instances up to a few hundred members, e.g. the MDGP
benchmark: every iteration scores all n^2 swaps at once as
delta[i, j] = D[i, j] + D[j, i] - 2 W[i, j] with D[i, j] = A[i, g(j)] - A[i, g(i)],
takes the best one whose members are not tabu (unless it beats the best found), and
after a stall restarts from the best solution with a random perturbation.
Work is bounded by an iteration count, so results are deterministic for a seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

NEG = -1e18
TENURE_LOW = 2  # a swapped member stays put for a random 2 .. n/12 iterations
TENURE_SHARE = 1 / 12
STALL_FACTOR = 8  # restart from the best after 8n iterations without a new best
PERTURB_SHARE = 0.1  # a restart applies n/10 random swaps,
PERTURB_GROWTH = 1  # plus this many per restart since the last new best


@dataclass
class Problem:
    """Placed members only: dense weights and the rules swaps and moves must keep."""

    weights: np.ndarray  # (n, n), zero diagonal
    num_groups: int
    min_size: int
    max_size: int
    allowed: np.ndarray | None = None  # (n, G) member may be in group
    blocks: np.ndarray | None = None  # (n, n) 0/1
    group_slot: np.ndarray | None = None  # set when moves must stay within a slot (seats)


def tabu_search(
    problem: Problem,
    start: np.ndarray,
    rng: np.random.Generator,
    iterations: int,
    deadline: float,
    patience: int | None = None,
    heartbeat: Callable[[float], object] | None = None,
) -> np.ndarray:
    """Best grouping found (group index per member) from a feasible `start`.

    `patience`: stop after that many restarts in a row found no new best (None = run
    until the iterations or the deadline are used up). `heartbeat(best_value)` is called
    every 64 iterations, for progress reports (it must be cheap; they throttle).
    """
    weights = problem.weights.astype(np.float32)  # half the memory traffic per iteration
    n, num_groups = len(start), problem.num_groups
    if n < 2 or num_groups < 2:
        return start.copy()
    masked = problem.allowed is not None or problem.blocks is not None
    group_of = start.copy()
    sums = _group_sums(weights, group_of, num_groups)
    sizes = np.bincount(group_of, minlength=num_groups)
    base = _base(weights, group_of)
    current = _exact_value(problem.weights, group_of)
    best, best_value = group_of.copy(), current
    delta = np.empty((n, n))
    tabu_until = np.zeros(n, dtype=np.int64)
    rows = np.arange(n)
    scale = max(1.0, float(np.abs(weights).max()))
    tenure_low, tenure_high = TENURE_LOW, max(TENURE_LOW + 3, int(n * TENURE_SHARE))
    stall_limit = max(100, STALL_FACTOR * n)
    last_gain = 0
    failed_restarts = 0
    for it in range(iterations):
        if it % 64 == 0:
            if time.monotonic() > deadline:
                break
            if heartbeat is not None:
                heartbeat(best_value)
        own = sums[rows, group_of]
        tabu = tabu_until > it
        gathered = sums[:, group_of]
        gathered -= own[:, None]
        np.add(gathered, gathered.T, out=delta)
        delta += base
        if masked:
            delta[~_swap_allowed(problem, group_of)] = NEG
        pick = _argmax2(delta)
        if current + pick[0] <= best_value + 1e-9 * scale:  # else aspiration: a new best
            tabu_members = np.flatnonzero(tabu)
            delta[tabu_members] = NEG
            delta[:, tabu_members] = NEG
            pick = _argmax2(delta)
        move = _best_move(problem, sums, own, group_of, sizes, tabu)
        if move is not None and move[0] > pick[0]:
            gain, i, h = move
            _apply_move(weights, sums, group_of, sizes, i, h)
            _refresh_base(base, weights, group_of, [i])
            tabu_until[i] = it + rng.integers(tenure_low, tenure_high + 1)
        elif pick[0] > NEG / 2:
            gain, i, j = pick
            _apply_swap(weights, sums, group_of, i, j)
            _refresh_base(base, weights, group_of, [i, j])
            tabu_until[[i, j]] = it + rng.integers(tenure_low, tenure_high + 1, size=2)
        else:
            break
        current += gain
        if current > best_value + 1e-9 * scale:
            current = _exact_value(problem.weights, group_of)  # no float32 drift
            if current > best_value + 1e-9 * scale:
                best, best_value, last_gain = group_of.copy(), current, it
                failed_restarts = 0
        elif it - last_gain > stall_limit:
            if patience is not None and failed_restarts >= patience:
                break
            strength = min(
                n // 2, max(2, int(n * PERTURB_SHARE)) + PERTURB_GROWTH * failed_restarts
            )
            group_of = _perturb(problem, best, rng, sizes, strength)
            failed_restarts += 1
            sums = _group_sums(weights, group_of, num_groups)
            base = _base(weights, group_of)
            current = _exact_value(problem.weights, group_of)
            tabu_until[:] = 0
            last_gain = it
    return best


def _base(weights: np.ndarray, group_of: np.ndarray) -> np.ndarray:
    """-2 W[i, j], or NEG where i and j share a group (no swap there)."""
    same = group_of[:, None] == group_of[None, :]
    return np.where(same, NEG, -2 * weights)


def _refresh_base(
    base: np.ndarray, weights: np.ndarray, group_of: np.ndarray, changed: list[int]
) -> None:
    for i in changed:
        row = np.where(group_of == group_of[i], NEG, -2 * weights[i])
        base[i] = row
        base[:, i] = row


def _argmax2(matrix: np.ndarray) -> tuple[float, int, int]:
    k = int(np.argmax(matrix))
    i, j = divmod(k, matrix.shape[1])
    return float(matrix[i, j]), i, j


def _group_sums(weights: np.ndarray, group_of: np.ndarray, num_groups: int) -> np.ndarray:
    return weights @ _onehot(group_of, num_groups)


def _exact_value(weights: np.ndarray, group_of: np.ndarray) -> float:
    same = group_of[:, None] == group_of[None, :]
    return float(weights[same].sum() / 2)


def _swap_allowed(problem: Problem, group_of: np.ndarray) -> np.ndarray:
    ok = np.ones((len(group_of), len(group_of)), dtype=bool)
    if problem.allowed is not None:
        into = problem.allowed[:, group_of]  # i may enter j's group
        ok &= into & into.T
    if problem.blocks is not None:
        counts = problem.blocks @ _onehot(group_of, problem.num_groups)
        conflicts = counts[:, group_of] - problem.blocks  # i vs j's group without j
        ok &= (conflicts == 0) & (conflicts.T == 0)
    return ok


def _onehot(group_of: np.ndarray, num_groups: int) -> np.ndarray:
    onehot = np.zeros((len(group_of), num_groups), dtype=np.float32)
    onehot[np.arange(len(group_of)), group_of] = 1.0
    return onehot


def _best_move(
    problem: Problem,
    sums: np.ndarray,
    own: np.ndarray,
    group_of: np.ndarray,
    sizes: np.ndarray,
    tabu: np.ndarray,
) -> tuple[float, int, int] | None:
    """Best non-tabu single-member move that keeps sizes, slots and blocks, if any."""
    if problem.min_size == problem.max_size:
        return None
    gains = sums - own[:, None]
    gains[np.arange(len(group_of)), group_of] = NEG
    gains[sizes[group_of] <= problem.min_size] = NEG
    gains[:, sizes >= problem.max_size] = NEG
    gains[tabu] = NEG
    if problem.group_slot is not None:
        slot = problem.group_slot
        gains[slot[group_of][:, None] != slot[None, :]] = NEG
    if problem.allowed is not None:
        gains[~problem.allowed] = NEG
    if problem.blocks is not None:
        gains[problem.blocks @ _onehot(group_of, problem.num_groups) > 0] = NEG
    k = int(np.argmax(gains))
    i, h = divmod(k, gains.shape[1])
    return None if gains[i, h] <= NEG / 2 else (float(gains[i, h]), i, h)


def _apply_swap(
    weights: np.ndarray, sums: np.ndarray, group_of: np.ndarray, i: int, j: int
) -> None:
    gi, gj = group_of[i], group_of[j]
    change = weights[j] - weights[i]  # symmetric: rows are columns
    sums[:, gi] += change
    sums[:, gj] -= change
    group_of[i], group_of[j] = gj, gi


def _apply_move(
    weights: np.ndarray, sums: np.ndarray, group_of: np.ndarray, sizes: np.ndarray, i: int, h: int
) -> None:
    g = group_of[i]
    sums[:, g] -= weights[i]
    sums[:, h] += weights[i]
    sizes[g] -= 1
    sizes[h] += 1
    group_of[i] = h


def _perturb(
    problem: Problem, best: np.ndarray, rng: np.random.Generator, sizes: np.ndarray, strength: int
) -> np.ndarray:
    """`strength` random feasible swaps applied to the best solution (sizes unchanged)."""
    group_of = best.copy()
    sizes[:] = np.bincount(group_of, minlength=problem.num_groups)
    n = len(group_of)
    for _ in range(strength * 4):
        if strength == 0:
            break
        i, j = rng.integers(n, size=2)
        gi, gj = group_of[i], group_of[j]
        if gi == gj or not _swap_keeps_rules(problem, group_of, i, j):
            continue
        group_of[i], group_of[j] = gj, gi
        strength -= 1
    return group_of


def _swap_keeps_rules(problem: Problem, group_of: np.ndarray, i: int, j: int) -> bool:
    gi, gj = group_of[i], group_of[j]
    if problem.allowed is not None and not (problem.allowed[i, gj] and problem.allowed[j, gi]):
        return False
    if problem.blocks is not None:
        in_gj = (group_of == gj) & (np.arange(len(group_of)) != j)
        in_gi = (group_of == gi) & (np.arange(len(group_of)) != i)
        if problem.blocks[i, in_gj].any() or problem.blocks[j, in_gi].any():
            return False
    return True
