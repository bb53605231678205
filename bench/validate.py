"""An independent check of the format's hard rules, used alongside the engine's own.

Benchmarks validate every result with ``worker.matching.check_result``; this checker is a
second, engine-free reading of the rules in ../shared/matching-format.md so a harness run
without the engine (``--engine random``) and the bench's own tests stay honest too.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

Instance = dict[str, Any]
Result = dict[str, Any]

EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def group_centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The mean latitude/longitude of a group (groups are local, so the mean is fine)."""
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def violations(instance: Instance, result: Result) -> list[str]:
    """Return every hard-rule violation of ``result`` (empty list = valid)."""
    out: list[str] = []
    members = {m["id"]: m for m in instance["members"]}
    slot_ids = [s["id"] for s in instance.get("slots") or []]
    seats = {s["id"]: s.get("seats") for s in instance.get("slots") or []}
    lo, hi = instance["group_size"]["min"], instance["group_size"]["max"]
    blocked = {frozenset(b) for b in instance.get("blocks") or []}
    seen: Counter[str] = Counter()
    per_slot: Counter[str | None] = Counter()
    for k, g in enumerate(result["groups"]):
        ids = list(g["members"])
        seen.update(ids)
        unknown = [m for m in ids if m not in members]
        if unknown:
            out.append(f"group {k}: unknown members {unknown}")
            continue
        if not lo <= len(ids) <= hi:
            out.append(f"group {k}: size {len(ids)} outside [{lo}, {hi}]")
        slot = g.get("slot")
        if slot_ids:
            if slot not in slot_ids:
                out.append(f"group {k}: slot {slot!r} is not an instance slot")
            for m in ids:
                avail = members[m].get("available")
                if avail is not None and slot not in avail:
                    out.append(f"group {k}: {m} not available in {slot!r}")
        per_slot[slot] += len(ids)
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                if frozenset((ids[a], ids[b])) in blocked:
                    out.append(f"group {k}: blocked pair {ids[a]}, {ids[b]}")
        located = [members[m] for m in ids if members[m].get("location") is not None]
        if located:
            centre = group_centre([tuple(m["location"]) for m in located])
            for m in located:
                limit = m.get("max_km")
                dist = haversine_km(tuple(m["location"]), centre)
                if limit is not None and dist > limit + 1e-9:
                    out.append(f"group {k}: {m['id']} is {dist:.2f} km away > {limit}")
    out += [f"member {m} placed {c} times" for m, c in seen.items() if c > 1]
    for slot, used in per_slot.items():
        cap = seats.get(slot) if slot is not None else None
        if cap is not None and used > cap:
            out.append(f"slot {slot}: {used} members > {cap} seats")
    if instance.get("num_groups") is not None and len(result["groups"]) != instance["num_groups"]:
        out.append(f"{len(result['groups'])} groups != num_groups {instance['num_groups']}")
    return out
