"""An exact solver for small instances: set partitioning by HiGHS (``scipy.optimize.milp``).

One binary column per feasible group (size in range, no blocked pair, a slot all its members
share, travel limits) and, when seats bind, per (group, slot). Each member row is covered at
most once. Two stages give the format's lexicographic objective: first the largest total
``priority`` that can be placed, then, with that placement held, the largest pair weight.
Only the optimality bench and the bench tests use it; it enumerates every group, so it is
for n of a few dozen.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from bench import features
from bench.validate import EARTH_RADIUS_KM

Instance = dict[str, Any]


@dataclass
class ExactResult:
    """The optimum (or why there is none): objective, placed priority and the groups."""

    status: str  # "optimal", "time_limit", "infeasible" or "too_large"
    objective: float = float("nan")
    placed_priority: float = float("nan")
    groups: list[tuple[list[str], str | None]] = field(default_factory=list)
    columns: int = 0
    seconds: float = 0.0


@dataclass
class Columns:
    """Candidate groups: member rows (-1 padded), chosen slot, pair weight, placed priority."""

    members: np.ndarray
    slot: np.ndarray
    weight: np.ndarray
    priority: np.ndarray


def count_groups(n: int, lo: int, hi: int) -> int:
    """How many member subsets of an allowed size exist (before any filtering)."""
    return sum(math.comb(n, k) for k in range(lo, min(hi, n) + 1))


def enumerate_columns(instance: Instance) -> tuple[Columns, list[str | None], dict[int, int]]:
    """Every feasible (group, slot) column, and the slot ids and seat limits they refer to."""
    members = instance["members"]
    n = len(members)
    lo, hi = instance["group_size"]["min"], instance["group_size"]["max"]
    w = features.dense_weights(instance)
    idx = features.member_index(instance)
    blocked = np.zeros((n, n), dtype=bool)
    for a, b in instance.get("blocks") or []:
        blocked[idx[a], idx[b]] = blocked[idx[b], idx[a]] = True
    slot_list = instance.get("slots") or []
    slot_ids: list[str | None] = [s["id"] for s in slot_list] or [None]
    seats = {k: s["seats"] for k, s in enumerate(slot_list) if s.get("seats") is not None}
    avail = np.zeros(n, dtype=np.int64)
    for i, m in enumerate(members):
        allowed = m.get("available")
        for k, s in enumerate(slot_ids):
            if allowed is None or s in allowed:
                avail[i] |= 1 << k
    prio = np.asarray([float(m.get("priority", 1.0)) for m in members])
    parts: list[Columns] = []
    for size in range(lo, min(hi, n) + 1):
        combo = np.fromiter(
            (i for c in combinations(range(n), size) for i in c), dtype=np.int32
        ).reshape(-1, size)
        pairs = list(combinations(range(size), 2))
        ok = np.ones(len(combo), dtype=bool)
        weight = np.zeros(len(combo))
        for a, b in pairs:
            ok &= ~blocked[combo[:, a], combo[:, b]]
            weight += w[combo[:, a], combo[:, b]]
        mask = np.bitwise_and.reduce(avail[combo], axis=1)
        ok &= mask != 0
        ok &= travel_ok(members, combo)
        combo, weight, mask = combo[ok], weight[ok], mask[ok]
        padded = np.full((len(combo), hi), -1, dtype=np.int32)
        padded[:, :size] = combo
        for k in range(len(slot_ids)):
            has = (mask >> k) & 1 == 1
            if not seats:  # any shared slot will do: one column per group, first shared slot
                has &= (mask & ((1 << k) - 1)) == 0
            parts.append(
                Columns(
                    padded[has], np.full(int(has.sum()), k), weight[has], prio[combo[has]].sum(1)
                )
            )
    cols = Columns(
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("members", "slot", "weight", "priority")
        )
    )
    return cols, slot_ids, seats


def travel_ok(members: list[dict[str, Any]], combo: np.ndarray) -> np.ndarray:
    """True where every located member is within max_km of the group's mean location."""
    if not any(m.get("location") is not None for m in members):
        return np.ones(len(combo), dtype=bool)
    loc = np.asarray([m.get("location") or [np.nan, np.nan] for m in members], dtype=float)
    lim = np.asarray([m.get("max_km") if m.get("max_km") is not None else np.inf for m in members])
    pts = loc[combo]
    has = ~np.isnan(pts[..., 0])
    centre = np.nansum(pts, axis=1) / np.maximum(has.sum(1), 1)[:, None]
    lat1, lon1 = np.radians(pts[..., 0]), np.radians(pts[..., 1])
    lat2, lon2 = np.radians(centre[:, None, 0]), np.radians(centre[:, None, 1])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    dist = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return np.all(~has | (dist <= lim[combo] + 1e-9), axis=1)


def solve_exact(
    instance: Instance, *, time_limit: float = 120.0, max_columns: int = 3_000_000
) -> ExactResult:
    """Solve ``instance`` to proven optimality, or say why not (status)."""
    start = time.perf_counter()
    n = len(instance["members"])
    lo, hi = instance["group_size"]["min"], instance["group_size"]["max"]
    if count_groups(n, lo, hi) > max_columns:
        return ExactResult("too_large")
    cols, slot_ids, seats = enumerate_columns(instance)
    m = len(cols.weight)
    if m == 0:
        ok = instance.get("num_groups") in (None, 0)
        status = "optimal" if ok else "infeasible"
        return ExactResult(status, 0.0, 0.0, [], 0, time.perf_counter() - start)
    model = Model.build(instance, cols, seats)
    total_priority = float(sum(mm.get("priority", 1.0) for mm in instance["members"]))
    chosen = model.best_weight(time_limit, cover_lb=1.0)  # everyone placed, if possible
    if chosen is None:
        best_priority = model.best_priority(time_limit)
        if best_priority is None:
            return ExactResult("time_limit", columns=m, seconds=time.perf_counter() - start)
        if best_priority < 0:
            return ExactResult("infeasible", columns=m, seconds=time.perf_counter() - start)
        left = max(1.0, time_limit - (time.perf_counter() - start))
        chosen = model.best_weight(left, cover_lb=0.0, min_priority=best_priority)
        if chosen is None or best_priority >= total_priority - 1e-7:
            return ExactResult("time_limit", columns=m, seconds=time.perf_counter() - start)
    if isinstance(chosen, str):
        return ExactResult(chosen, columns=m, seconds=time.perf_counter() - start)
    ids = [mm["id"] for mm in instance["members"]]
    groups = [([ids[i] for i in cols.members[c] if i >= 0], slot_ids[cols.slot[c]]) for c in chosen]
    return ExactResult(
        "optimal",
        objective=float(cols.weight[chosen].sum()),
        placed_priority=float(cols.priority[chosen].sum()),
        groups=groups,
        columns=m,
        seconds=time.perf_counter() - start,
    )


@dataclass
class Model:
    """The set-partitioning model: cover rows, side constraints and the columns' data."""

    cols: Columns
    cover: sparse.csr_matrix
    side: sparse.csr_matrix  # seats (<=) rows
    side_ub: np.ndarray
    num_groups: int | None

    @classmethod
    def build(cls, instance: Instance, cols: Columns, seats: dict[int, int]) -> Model:
        """Assemble the sparse rows for ``cols``."""
        n, m = len(instance["members"]), len(cols.weight)
        col, pos = np.nonzero(cols.members >= 0)
        cover = sparse.csr_matrix((np.ones(len(col)), (cols.members[col, pos], col)), shape=(n, m))
        sizes = (cols.members >= 0).sum(1).astype(float)
        rows = [np.where(cols.slot == k, sizes, 0.0) for k in seats]
        side = sparse.csr_matrix(np.asarray(rows).reshape(len(rows), m))
        return cls(
            cols, cover, side, np.asarray(list(seats.values()), float), instance.get("num_groups")
        )

    def constraints(self, keep: np.ndarray, cover_lb: float) -> list[LinearConstraint]:
        """Rows restricted to the columns ``keep``."""
        out = [LinearConstraint(self.cover[:, keep], cover_lb, 1)]
        if self.side.shape[0]:
            out.append(LinearConstraint(self.side[:, keep], 0, self.side_ub))
        if self.num_groups is not None:
            out.append(LinearConstraint(np.ones((1, len(keep))), self.num_groups, self.num_groups))
        return out

    def best_weight(
        self, time_limit: float, cover_lb: float, min_priority: float | None = None
    ) -> np.ndarray | str | None:
        """Columns of a max-weight solution (None if infeasible, a status on time-out).

        Solves the LP, finds an incumbent on the columns of best reduced cost, drops every
        column whose reduced cost proves it cannot beat the incumbent, then solves the MILP
        on what is left (reduced-cost fixing: exact, and far smaller than the full model).
        """
        start = time.perf_counter()
        c = -self.cols.weight
        lp = self.relaxation(c, cover_lb, min_priority)
        if lp is None:
            return None
        reduced, bound = lp
        keep = np.argsort(reduced)[: min(len(c), 40 * self.cover.shape[0])]
        incumbent = self.solve_milp(c, keep, cover_lb, min_priority, time_limit / 4)
        if incumbent is None:
            keep = np.arange(len(c))
        else:
            slack = float(c[incumbent].sum()) - bound + 1e-7 * max(1.0, abs(bound))
            keep = np.flatnonzero(np.maximum(reduced, 0.0) <= slack)
        left = max(1.0, time_limit - (time.perf_counter() - start))
        out = self.solve_milp(c, keep, cover_lb, min_priority, left)
        if out is None and incumbent is not None:
            return "time_limit"
        return out

    def relaxation(
        self, c: np.ndarray, cover_lb: float, min_priority: float | None
    ) -> tuple[np.ndarray, float] | None:
        """Reduced costs d and a Lagrangian bound B: any solution using column k costs at
        least B + max(d_k, 0). None when even the LP is infeasible."""
        eq, eq_b, ub, ub_b = [], [], [self.side], [self.side_ub]
        if cover_lb >= 1.0:
            eq.append(self.cover)
            eq_b.append(np.ones(self.cover.shape[0]))
        else:
            ub.append(self.cover)
            ub_b.append(np.ones(self.cover.shape[0]))
        if self.num_groups is not None:
            eq.append(sparse.csr_matrix(np.ones((1, len(c)))))
            eq_b.append(np.asarray([float(self.num_groups)]))
        if min_priority is not None:
            ub.append(sparse.csr_matrix(-self.cols.priority[None, :]))
            ub_b.append(np.asarray([-(min_priority - 1e-6)]))
        a_eq = sparse.vstack(eq).tocsr() if eq else None
        a_ub = sparse.vstack(ub).tocsr()
        b_eq = np.concatenate(eq_b) if eq else None
        b_ub = np.concatenate(ub_b)
        res = linprog(
            c,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=(0, 1),
            method="highs",
        )
        if res.status != 0:
            return None
        d, bound = c.copy(), 0.0
        if a_eq is not None:
            y = np.asarray(res.eqlin.marginals)
            d -= a_eq.T @ y
            bound += float(y @ b_eq)
        if a_ub.shape[0]:
            y = np.minimum(np.asarray(res.ineqlin.marginals), 0.0)
            d -= a_ub.T @ y
            bound += float(y @ b_ub)
        return d, bound + float(np.minimum(d, 0.0).sum())

    def solve_milp(
        self,
        c: np.ndarray,
        keep: np.ndarray,
        cover_lb: float,
        min_priority: float | None,
        time_limit: float,
    ) -> np.ndarray | None:
        """Optimal columns among ``keep`` (None if infeasible or out of time)."""
        rows = self.constraints(keep, cover_lb)
        if min_priority is not None:
            rows.append(
                LinearConstraint(self.cols.priority[None, keep], min_priority - 1e-6, np.inf)
            )
        res = milp(
            c[keep],
            constraints=rows,
            integrality=np.ones(len(keep)),
            bounds=Bounds(0, 1),
            options={"time_limit": max(1.0, time_limit), "mip_rel_gap": 0.0, "presolve": False},
        )
        if res.status != 0 or res.x is None:
            return None
        return keep[res.x > 0.5]

    def best_priority(self, time_limit: float) -> float | None:
        """The largest total priority that can be placed (-1 if nothing is feasible)."""
        every = np.arange(len(self.cols.weight))
        res = milp(
            -self.cols.priority,
            constraints=self.constraints(every, 0.0),
            integrality=np.ones(len(every)),
            bounds=Bounds(0, 1),
            options={"time_limit": time_limit, "mip_rel_gap": 0.0, "presolve": False},
        )
        if res.status == 2:
            return -1.0
        return None if res.status != 0 else -float(res.fun)


def as_result(instance: Instance, exact: ExactResult) -> dict[str, Any]:
    """The exact solution as a format result (for checking it like any other)."""
    placed = {m for g, _ in exact.groups for m in g}
    return {
        "groups": [{"members": g, "slot": s, "score": 0.0, "why": []} for g, s in exact.groups],
        "unmatched": [
            {"id": m["id"], "reason": "not placeable in an optimal solution"}
            for m in instance["members"]
            if m["id"] not in placed
        ],
        "objective": exact.objective,
        "placed": len(placed),
        "seconds": exact.seconds,
    }
