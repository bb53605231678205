"""Venue distance (format v2): a slot with a `location` is only open to members within reach.

A member with a `location` and `max_km` can attend a slot whose venue is at most `max_km`
away (great-circle), so availability is narrowed once when parsing and every phase of the
search, the shards included, keeps the rule through the availability mask it already
respects. Members who had a slot before and none after get their own unmatched reason.
"""

from __future__ import annotations

import numpy as np

from worker.matching.regions import haversine_km


def narrow_to_reach(
    available: np.ndarray, location: np.ndarray, max_km: np.ndarray, venues: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Availability without the venues beyond each member's max_km, and who lost every slot.

    `venues` is (S, 2) with NaN rows for slots without a location (never narrowed).
    """
    located = np.flatnonzero(~np.isnan(venues[:, 0]))
    limited = np.flatnonzero(np.isfinite(max_km) & ~np.isnan(location[:, 0]))
    if not len(located) or not len(limited):
        return available, np.zeros(len(available), dtype=bool)
    narrowed = available.copy()
    for s in located:
        distance = haversine_km(location[limited], venues[s])
        narrowed[limited[distance > max_km[limited]], s] = False
    beyond = available.any(axis=1) & ~narrowed.any(axis=1)
    return narrowed, beyond
