"""Pair features of the learned compatibility model: one code path for web app and bench.

A rated pair is two members (`MemberFacts`) and the meetup where they met (`PairFacts`:
its date, the size of their group, and what had happened between them before). The
features, in FEATURE_SET order (NaN = unknown; the model fills it with the training mean):

- interest_sim: cosine of the members' IDF-weighted tag vectors, the engine's `sim`
  (worker.matching.features.tag_features), with IDF over the members passed in (the
  community), not one meetup's instance.
- about_sim: cosine of their TF-IDF about-text vectors, the engine's `about_sim`
  (worker.matching.about.about_topics); 0 when either wrote nothing.
- shared_languages: how many languages both list (NaN when either lists none: such a
  member fits any group).
- distance_km: great-circle distance between their homes (NaN when either has none).
- availability_overlap: Jaccard overlap of their weekly free windows (NaN when either
  has none).
- group_size: how many members were placed in the group where they met (larger groups
  leave less time per pair).
- membership_weeks_min: weeks the newer of the two had been a member on the meetup day.
- met_before: times the two were placed together at earlier meetups.
- again_before: "meet again" ratings between them after earlier meetups (either way).
- not_for_me_before: "not for me" ratings between them after earlier meetups.

The first two enter the engine as instance weights, the last three as bonds for pairs
with history (terms.py); the others explain outcomes (and keep the fitted weights of the
first ones honest when, e.g., big groups dampen every pair) but do not factorise into the
engine's feature rows, so they only shape the model, its validation and its effects.
Bump FEATURE_SET_VERSION whenever a feature is added, removed or computed differently:
stored models of an older version are then refused (`ModelError`) and retrained.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import scipy.sparse as sp

from worker.matching.about import about_topics
from worker.matching.features import tag_features

FEATURE_SET: tuple[str, ...] = (
    "interest_sim",
    "about_sim",
    "shared_languages",
    "distance_km",
    "availability_overlap",
    "group_size",
    "membership_weeks_min",
    "met_before",
    "again_before",
    "not_for_me_before",
)
FEATURE_SET_VERSION = 1
SIMILARITY_FEATURES = ("interest_sim", "about_sim")  # enter as instance weights
HISTORY_FEATURES = ("met_before", "again_before", "not_for_me_before")  # enter as bonds
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class MemberFacts:
    """What a member declared, as plain data (the web app maps a Member row to this)."""

    interests: Sequence[str] = ()
    about: str = ""
    languages: Sequence[str] = ()
    home: tuple[float, float] | None = None  # (latitude, longitude)
    weekly: Iterable[str] = frozenset()  # weekly free windows, any hashable keys
    joined: date | datetime | None = None


@dataclass(frozen=True)
class PairFacts:
    """Members ``a`` and ``b`` (indices into the members list) at one meetup."""

    when: date | datetime  # the meetup's day
    group_size: int  # members placed in their group
    a: int = 0
    b: int = 1
    met_before: int = 0
    again_before: int = 0
    not_for_me_before: int = 0
    extra: dict = field(default_factory=dict, compare=False)  # caller's own bookkeeping


def pair_features(a: MemberFacts, b: MemberFacts, context: PairFacts) -> np.ndarray:
    """The FEATURE_SET row of one pair (IDF over the two members only)."""
    return feature_rows([a, b], [replace(context, a=0, b=1)])[0]


def feature_rows(members: Sequence[MemberFacts], pairs: Sequence[PairFacts]) -> np.ndarray:
    """FEATURE_SET rows, shape (len(pairs), len(FEATURE_SET)), for pairs of ``members``.

    Text vectors are fitted once over all ``members`` (pass the whole community so IDF is
    the community's); the rest is vectorised over pairs.
    """
    out = np.full((len(pairs), len(FEATURE_SET)), np.nan)
    if not pairs:
        return out
    a = np.fromiter((p.a for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p.b for p in pairs), dtype=np.int64, count=len(pairs))
    col = {name: k for k, name in enumerate(FEATURE_SET)}
    tags = tag_features([[t.strip().lower() for t in m.interests] for m in members])
    out[:, col["interest_sim"]] = _row_dots(tags, a, b)
    topics = about_topics([m.about or "" for m in members])
    out[:, col["about_sim"]] = 0.0 if topics is None else _row_dots(topics.vectors, a, b)
    languages = _bit_sets([{c.strip().lower() for c in m.languages} for m in members])
    out[:, col["shared_languages"]] = _shared(languages, a, b, jaccard=False)
    out[:, col["distance_km"]] = _distances(members, a, b)
    windows = _bit_sets([set(m.weekly) for m in members])
    out[:, col["availability_overlap"]] = _shared(windows, a, b, jaccard=True)
    out[:, col["group_size"]] = [p.group_size for p in pairs]
    out[:, col["membership_weeks_min"]] = _weeks_min(members, pairs)
    for name in HISTORY_FEATURES:
        out[:, col[name]] = [getattr(p, name) for p in pairs]
    return out


def _row_dots(rows: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot products of rows a[k] and b[k] (unit rows: cosines)."""
    matrix = sp.csr_matrix(rows)
    return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()


def _bit_sets(sets: list[set]) -> list[int]:
    """Each set as a Python int bit set over the union of all keys (any number of keys)."""
    keys = {key: k for k, key in enumerate(sorted({str(x) for s in sets for x in s}))}
    return [sum(1 << keys[str(x)] for x in s) for s in sets]


def _shared(bits: list[int], a: np.ndarray, b: np.ndarray, *, jaccard: bool) -> np.ndarray:
    """Common members of two bit sets (count or Jaccard share); NaN when either is empty."""
    out = np.full(len(a), np.nan)
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        x, y = bits[i], bits[j]
        if x and y:
            common = (x & y).bit_count()
            out[k] = common / (x | y).bit_count() if jaccard else common
    return out


def _distances(members: Sequence[MemberFacts], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle km between homes; NaN where either has none."""
    homes = np.array([m.home if m.home is not None else (np.nan, np.nan) for m in members])
    homes = homes.reshape(len(members), 2)
    lat1, lon1 = np.radians(homes[a, 0]), np.radians(homes[a, 1])
    lat2, lon2 = np.radians(homes[b, 0]), np.radians(homes[b, 1])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _weeks_min(members: Sequence[MemberFacts], pairs: Sequence[PairFacts]) -> np.ndarray:
    """Weeks since the later of the two joining dates, on the meetup day (>= 0)."""
    out = np.full(len(pairs), np.nan)
    for k, p in enumerate(pairs):
        joined = [members[m].joined for m in (p.a, p.b)]
        if joined[0] is None or joined[1] is None:
            continue
        newest = max(_day(joined[0]), _day(joined[1]))
        out[k] = max(0.0, (_day(p.when) - newest).days / 7.0)
    return out
