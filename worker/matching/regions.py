"""Geography and regions: travel limits around a group's centre, and balanced splits.

A group's centre is the mean latitude/longitude of its members who gave a location; a
member with `max_km` must be at most that far (great-circle) from it. Large communities
are split into regions by recursive bisection along the widest spread direction, so
nearby (or similar) members stay in the same shard and travel limits stay satisfiable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from worker.matching.instance import Instance

EARTH_RADIUS_KM = 6371.0088


def haversine_km(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Great-circle distances in km from each [lat, lon] row of `points` to `centre`."""
    lat1, lon1 = np.radians(points[:, 0]), np.radians(points[:, 1])
    lat2, lon2 = np.radians(centre[0]), np.radians(centre[1])
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def group_centre(points: np.ndarray) -> np.ndarray | None:
    """Mean location of the rows that have one, or None if nobody gave a location."""
    located = points[~np.isnan(points[:, 0])]
    return located.mean(axis=0) if len(located) else None


def travel_violations(points: np.ndarray, max_km: np.ndarray) -> np.ndarray:
    """Boolean mask of members further than their max_km from the group's centre."""
    centre = group_centre(points)
    if centre is None:
        return np.zeros(len(points), dtype=bool)
    distance = np.nan_to_num(haversine_km(points, centre), nan=0.0)
    return distance > max_km + 1e-9


class TravelCheck:
    """Answers "would this set of members meet everyone's travel limit?"."""

    def __init__(self, instance: Instance) -> None:
        self.location = instance.location
        self.max_km = instance.max_km

    def fits(self, members: np.ndarray) -> bool:
        """True if no member of the set is further than max_km from the set's centre."""
        limits = self.max_km[members]
        if not np.isfinite(limits).any():
            return True
        return not travel_violations(self.location[members], limits).any()


def bisect(points: np.ndarray, max_size: int, unit: int = 1) -> list[np.ndarray]:
    """Split row indices into parts of at most max_size by recursive principal-axis cuts.

    Cuts fall on multiples of `unit` (e.g. the group size) where possible so parts
    divide into whole groups.
    """
    parts: list[np.ndarray] = []
    stack = [np.arange(len(points))]
    while stack:
        part = stack.pop()
        if len(part) <= max_size:
            parts.append(part)
            continue
        centred = points[part] - points[part].mean(axis=0)
        direction = _principal_direction(centred)
        order = part[np.argsort(centred @ direction, kind="stable")]
        halves = -(-len(part) // max_size)
        cut = max(unit, (len(part) * (halves // 2) // halves) // unit * unit)
        stack.extend([order[cut:], order[:cut]])
    return parts


def _principal_direction(centred: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(0)
    direction = np.asarray(rng.standard_normal(centred.shape[1]))
    for _ in range(8):  # power iteration on the covariance, no full SVD needed
        direction = centred.T @ (centred @ direction)
        norm = float(np.linalg.norm(direction))
        if norm == 0:
            return np.eye(centred.shape[1])[0]
        direction /= norm
    return direction
