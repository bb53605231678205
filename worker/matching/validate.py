"""Independent checks of a result against an instance: hard rules and the objective.

`check_result` is deliberately written without the solver's data structures so it can
catch the solver's mistakes; other parts (web flow, benchmarks) use it in their tests.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import scipy.sparse as sp

from worker.matching.instance import Instance, parse_instance
from worker.matching.regions import haversine_km, travel_violations


def objective(instance: dict, groups: list[list[str]]) -> float:
    """Sum of w(i, j) over every pair inside every group (member ids per group).

    Deliberately plain (a loop over pairs with dictionaries of listed weights) so it can
    cross-check the engine's incremental bookkeeping.
    """
    parsed = parse_instance(instance)
    index = {member_id: i for i, member_id in enumerate(parsed.ids)}
    listed = [_pair_dict(parsed.weights), _pair_dict(parsed.bonds)]
    total = 0.0
    for group in groups:
        members = [index[m] for m in group]
        if parsed.features is not None and len(members) > 1:
            rows = parsed.features[members]
            similarity = rows @ rows.T
            similarity = similarity.toarray() if sp.issparse(similarity) else similarity
            total += float(np.triu(similarity, k=1).sum())
        for a, b in combinations(sorted(members), 2):
            total += sum(pairs.get((a, b), 0.0) for pairs in listed)
    return total


def _pair_dict(matrix: sp.csr_matrix | None) -> dict[tuple[int, int], float]:
    if matrix is None:
        return {}
    upper = sp.triu(matrix, k=1).tocoo()
    return {
        (int(i), int(j)): float(w) for i, j, w in zip(upper.row, upper.col, upper.data, strict=True)
    }


def check_result(instance: dict, result: dict) -> list[str]:
    """Every hard-rule violation of `result` for `instance` (empty list = valid)."""
    parsed = parse_instance(instance)
    if not isinstance(result, dict) or not isinstance(result.get("groups"), list):
        return ["result: must be an object with a list of groups"]
    problems: list[str] = []
    index = {member_id: i for i, member_id in enumerate(parsed.ids)}
    seen: Counter[str] = Counter()
    slot_use: Counter[str | None] = Counter()
    for g, group in enumerate(result["groups"]):
        members = group.get("members") if isinstance(group, dict) else None
        if not isinstance(members, list):
            problems.append(f"groups[{g}]: must have a list of members")
            continue
        seen.update(members)
        known = [index[m] for m in members if m in index]
        problems += [f"groups[{g}]: unknown member {m!r}" for m in members if m not in index]
        problems += _check_group(parsed, g, group.get("slot"), known)
        slot = group.get("slot")
        slot_use[slot if isinstance(slot, str) else None] += len(members)
    problems += [f"member {m!r} is in {c} groups" for m, c in seen.items() if c > 1]
    for s, slot_id in enumerate(parsed.slot_ids):
        if slot_use[slot_id] > parsed.seats[s]:
            problems.append(
                f"slot {slot_id!r}: {slot_use[slot_id]} members, {parsed.seats[s]:g} seats"
            )
    if parsed.num_groups is not None and len(result["groups"]) != parsed.num_groups:
        problems.append(f"{len(result['groups'])} groups, num_groups is {parsed.num_groups}")
    problems += _check_unmatched(parsed, result, seen)
    return problems


def _check_group(parsed: Instance, g: int, slot_id: object, members: list[int]) -> list[str]:
    problems = []
    if not parsed.min_size <= len(members) <= parsed.max_size:
        problems.append(
            f"groups[{g}]: size {len(members)} outside [{parsed.min_size}, {parsed.max_size}]"
        )
    if slot_id not in parsed.slot_ids:
        problems.append(f"groups[{g}]: unknown slot {slot_id!r}")
    else:
        s = parsed.slot_ids.index(slot_id)  # type: ignore[arg-type]
        problems += [
            f"groups[{g}]: {parsed.ids[i]!r} is not available at {slot_id!r}"
            for i in members
            if not parsed.available[i, s]
        ]
    if parsed.blocks is not None:
        for a in members:
            for b in members:
                if a < b and parsed.blocks[a, b]:
                    problems.append(
                        f"groups[{g}]: {parsed.ids[a]!r} and {parsed.ids[b]!r} are blocked"
                    )
    venue = _venue(parsed, slot_id)
    if members and venue is None:
        far = travel_violations(parsed.location[members], parsed.max_km[members])
        problems += [
            f"groups[{g}]: {parsed.ids[members[k]]!r} is further than max_km from the centre"
            for k in np.flatnonzero(far)
        ]
    if members and venue is not None:
        distance = np.nan_to_num(haversine_km(parsed.location[members], venue), nan=0.0)
        problems += [
            f"groups[{g}]: {parsed.ids[i]!r} is further than max_km from the venue"
            for i, km in zip(members, distance, strict=True)
            if km > parsed.max_km[i] + 1e-9
        ]
    if parsed.languages is not None:
        spoken = [set(parsed.languages[i]) for i in members if parsed.languages[i]]
        if spoken and not set.intersection(*spoken):
            problems.append(f"groups[{g}]: members listing languages share none")
    return problems


def _venue(parsed: Instance, slot_id: object) -> np.ndarray | None:
    """The slot's venue location (format v2), or None."""
    if parsed.slot_location is None or slot_id not in parsed.slot_ids:
        return None
    point = parsed.slot_location[parsed.slot_ids.index(slot_id)]  # type: ignore[arg-type]
    return None if np.isnan(point[0]) else point


def _check_unmatched(parsed: Instance, result: dict, grouped: Counter[str]) -> list[str]:
    unmatched = result.get("unmatched", [])
    listed = {u.get("id") for u in unmatched if isinstance(u, dict)}
    problems = [
        f"unmatched: {u.get('id')!r} has no reason"
        for u in unmatched
        if isinstance(u, dict) and not u.get("reason")
    ]
    problems += [f"member {m!r} is both grouped and unmatched" for m in listed if m in grouped]
    problems += [
        f"member {m!r} is neither grouped nor unmatched"
        for m in parsed.ids
        if m not in grouped and m not in listed
    ]
    return problems
