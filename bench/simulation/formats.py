"""Which instance format the engine is given: v1 (as built before issue 14) or v2.

v1 is the instance the web app built before format v2: interests, availability, priority,
bonds and blocks. v2 adds what members declare in the v2 world (`world.py`): `languages`,
`about`, `location` and `max_km`, `preferred_size`, each slot's venue `location`, and
optionally `about_weight` (passed explicitly so the simulation can sweep it; left out, the
engine's default applies). Both formats are built from the same simulated people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.simulation.community import Community


@dataclass(frozen=True)
class Format:
    """An instance format: version 1 or 2, and the about-text blend weight to pass (v2)."""

    version: int = 1
    about_weight: float | None = None

    @property
    def name(self) -> str:
        """ "v1" or "v2" (with the about weight when one is passed)."""
        if self.version == 1 or self.about_weight is None:
            return f"v{self.version}"
        return f"v{self.version} (about_weight {self.about_weight:g})"


V1 = Format()
V2 = Format(2)


def add_v2_fields(
    instance: dict[str, Any], community: Community, opted: list[int], fmt: Format
) -> dict[str, Any]:
    """Add the v2 fields to ``instance`` (members in ``opted`` order); v1 is left as is."""
    world = community.world
    if fmt.version < 2 or world is None:
        return instance
    instance["version"] = 2
    if fmt.about_weight is not None:
        instance["about_weight"] = fmt.about_weight
    for slot, venue in zip(instance["slots"], world.venues, strict=True):
        slot["location"] = [float(venue[0]), float(venue[1])]
    for entry, m in zip(instance["members"], opted, strict=True):
        entry["languages"] = list(world.languages[m])
        entry["location"] = [float(world.home[m, 0]), float(world.home[m, 1])]
        entry["max_km"] = float(world.max_km[m])
        entry["preferred_size"] = int(world.preferred_size[m])
        if world.about[m]:
            entry["about"] = world.about[m]
    return instance
