"""An independent check of the format's hard rules, used alongside the engine's own.

Benchmarks validate every result with ``worker.matching.check_result``; this checker is a
second, engine-free reading of the rules in docs/matching-format.md so a harness run
without the engine (``--engine random``) and the bench's own tests stay honest too. It
covers the v2 rules (venue distance, a shared language per group) and recomputes the v2
objective (``interest_weight`` times interest similarity plus ``about_weight`` times
about-text similarity, plus bonds).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from bench import features

Instance = dict[str, Any]
Result = dict[str, Any]

EARTH_RADIUS_KM = 6371.0088
DEFAULT_ABOUT_WEIGHT = 1.0  # the format's default `about_weight` (docs/matching-format.md)
DEFAULT_INTEREST_WEIGHT = 1.0  # the format's default `interest_weight` (issue 15)


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
    venues = {
        s["id"]: tuple(s["location"])
        for s in instance.get("slots") or []
        if s.get("location") is not None
    }
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
        out += _language_violations(k, [members[m] for m in ids])
        venue = venues.get(slot)
        located = [members[m] for m in ids if members[m].get("location") is not None]
        if venue is not None:
            for m in located:
                limit = m.get("max_km")
                dist = haversine_km(tuple(m["location"]), venue)
                if limit is not None and dist > limit + 1e-9:
                    out.append(f"group {k}: {m['id']} is {dist:.2f} km from the venue > {limit}")
        elif located:
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


def _language_violations(k: int, group: list[dict[str, Any]]) -> list[str]:
    """The v2 rule: members who list languages share at least one (case-insensitive)."""
    spoken = [{str(c).strip().lower() for c in m["languages"]} for m in group if m.get("languages")]
    if spoken and not set.intersection(*spoken):
        return [f"group {k}: no language shared by {[m['id'] for m in group]}"]
    return []


def about_vectors(instance: Instance) -> Any:
    """Unit TF-IDF rows (sparse) of the about texts, zero where empty; None without text.

    The format's definition: scikit-learn ``TfidfVectorizer(stop_words="english",
    sublinear_tf=True)`` fitted on the members' non-empty about texts.
    """
    texts = [str(m.get("about") or "") for m in instance["members"]]
    written = [k for k, text in enumerate(texts) if text.strip()]
    if not written:
        return None
    try:
        rows = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
            [texts[k] for k in written]
        )
    except ValueError:  # only stop words
        return None
    rows = rows.tocoo()
    index = np.asarray(written)[rows.row]
    return sparse.csr_matrix((rows.data, (index, rows.col)), shape=(len(texts), rows.shape[1]))


def similarity_total(instance: Instance, groups: list[list[str]]) -> float:
    """Sum over the groups' pairs of the v1 similarity alone (no bonds; 0 with weights)."""
    rows = features.feature_matrix(instance)
    if rows is None:
        return 0.0
    index = features.member_index(instance)
    total = 0.0
    for group in groups:
        part = rows[[index[m] for m in group]]
        gram = part @ part.T
        gram = gram.toarray() if sparse.issparse(gram) else np.asarray(gram)
        total += float(np.triu(gram, k=1).sum())
    return total


def objective(instance: Instance, groups: Iterable[Sequence[str]]) -> float:
    """The v2 objective: the v1 pair weights plus about_weight x about cosine per pair.

    Without explicit ``weights`` and with about texts, w(i, j) = interest_weight x interest
    similarity + bonds + about_weight * cos(about_i, about_j) (zero when either wrote
    nothing).
    """
    groups = [list(g) for g in groups]
    total = features.objective(instance, groups)
    interest = instance.get("interest_weight")
    if interest is not None and float(interest) != DEFAULT_INTEREST_WEIGHT:
        total += (float(interest) - DEFAULT_INTEREST_WEIGHT) * similarity_total(instance, groups)
    weight = instance.get("about_weight")
    weight = DEFAULT_ABOUT_WEIGHT if weight is None else float(weight)
    about = None if instance.get("weights") is not None else about_vectors(instance)
    if about is None or weight == 0:
        return total
    index = features.member_index(instance)
    for group in groups:
        rows = about[[index[m] for m in group]]
        together = np.asarray(rows.sum(axis=0)).ravel()
        total += weight * float(together @ together - rows.multiply(rows).sum()) / 2
    return total
