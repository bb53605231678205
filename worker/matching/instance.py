"""The parsed, validated form of a matching instance (../shared/matching-format.md).

`parse_instance` turns the JSON dict into an `Instance` of numpy arrays and sparse
matrices, checking every field so that the solver never meets bad data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from worker.matching.about import (
    ABOUT_WEIGHT,
    INTEREST_WEIGHT,
    INTEREST_WEIGHT_MAX,
    AboutTopics,
    about_topics,
    blend,
    scale_rows,
)
from worker.matching.fields import (
    InstanceError,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_point,
    require,
)
from worker.matching.members import ParsedMembers, parse_members
from worker.matching.relations import parse_blocks, parse_bonds, parse_weights
from worker.matching.venues import narrow_to_reach


@dataclass(frozen=True)
class Instance:
    """A validated instance; member i is ids[i], slot s is slot_ids[s] (None = implicit)."""

    ids: list[str]
    min_size: int
    max_size: int
    num_groups: int | None
    slot_ids: list[str | None]
    seats: np.ndarray  # (S,) float, inf = unlimited
    available: np.ndarray  # (n, S) bool
    priority: np.ndarray  # (n,)
    interests: list[list[str]]
    features: np.ndarray | sp.csr_matrix | None  # L2-normalised rows; None with weights
    weights: sp.csr_matrix | None  # explicit symmetric pair weights
    bonds: sp.csr_matrix | None  # symmetric sum of bonds
    blocks: sp.csr_matrix | None  # symmetric 0/1
    location: np.ndarray  # (n, 2) degrees, NaN where absent
    max_km: np.ndarray  # (n,) inf where absent
    # Format v2 (all None / defaults for a v1 instance, whose code path is unchanged):
    v2: bool = False  # any v2 field given: the finishing passes (`finish`) run
    slot_location: np.ndarray | None = None  # (S, 2) venue per slot, NaN rows where absent
    beyond_reach: np.ndarray | None = None  # (n,) every available slot's venue is too far
    languages: list[list[str]] | None = None  # per member, [] = fits any group
    about: list[str] | None = None  # per member, "" = none
    topics: AboutTopics | None = None  # TF-IDF of the about texts (for `why`)
    about_weight: float = ABOUT_WEIGHT
    about_columns: int = 0  # trailing feature columns that are the blended about vectors
    interest_weight: float = INTEREST_WEIGHT  # interest rows are scaled by its square root
    preferred_size: np.ndarray | None = None  # (n,) int, 0 = no preference

    @property
    def n(self) -> int:
        """Number of members."""
        return len(self.ids)

    @property
    def has_locations(self) -> bool:
        """Whether the group-centre travel rule can rule anything out.

        Only with a member's travel limit, and only at slots without a venue location (a
        venue's distance is applied to availability instead); with a mix of located and
        unlocated slots the engine keeps the centre rule at every slot, which is stricter.
        """
        if not np.isfinite(self.max_km).any():
            return False
        return self.slot_location is None or bool(np.isnan(self.slot_location[:, 0]).any())

    def subset(self, members: np.ndarray, num_groups: int | None = None) -> Instance:
        """The sub-instance of the given member indices (same slots, global features kept)."""
        members = np.asarray(members, dtype=np.int64)

        def cut(matrix: sp.csr_matrix | None) -> sp.csr_matrix | None:
            return None if matrix is None else matrix[members][:, members].tocsr()

        return replace(
            self,
            ids=[self.ids[i] for i in members],
            num_groups=num_groups,
            available=self.available[members],
            priority=self.priority[members],
            interests=[self.interests[i] for i in members],
            features=None if self.features is None else self.features[members],
            weights=cut(self.weights),
            bonds=cut(self.bonds),
            blocks=cut(self.blocks),
            location=self.location[members],
            max_km=self.max_km[members],
            beyond_reach=None if self.beyond_reach is None else self.beyond_reach[members],
            languages=None if self.languages is None else [self.languages[i] for i in members],
            about=None if self.about is None else [self.about[i] for i in members],
            topics=None
            if self.topics is None
            else AboutTopics(self.topics.vectors[members], self.topics.terms),
            preferred_size=None if self.preferred_size is None else self.preferred_size[members],
        )


def parse_instance(instance: dict) -> Instance:
    """Validate an instance dict and return an `Instance`; raise `InstanceError` on bad input."""
    as_dict(instance, "instance")
    size = as_dict(require(instance, "group_size", "group_size"), "group_size")
    min_size = as_int(require(size, "min", "group_size.min"), "group_size.min", minimum=1)
    max_size = as_int(require(size, "max", "group_size.max"), "group_size.max", minimum=1)
    if min_size > max_size:
        raise InstanceError("group_size", f"min ({min_size}) is greater than max ({max_size})")
    num_groups = instance.get("num_groups")
    if num_groups is not None:
        num_groups = as_int(num_groups, "num_groups", minimum=0)
    slot_ids, seats, venues = _parse_slots(instance.get("slots"))
    raw_members = as_list(require(instance, "members", "members"), "members")
    has_weights = instance.get("weights") is not None
    members = parse_members(
        raw_members, slot_ids, needs_features=not has_weights, sizes=(min_size, max_size)
    )
    n = len(members.ids)
    index = {member_id: i for i, member_id in enumerate(members.ids)}
    weights = parse_weights(instance["weights"], n) if has_weights else None
    bonds = parse_bonds(instance.get("pairs"), index)
    blocks = parse_blocks(instance.get("blocks"), index)
    if num_groups is not None and num_groups * min_size > n:
        raise InstanceError(
            "num_groups",
            f"{num_groups} groups of at least {min_size} need {num_groups * min_size} "
            f"members, the instance has {n}",
        )
    parsed = Instance(
        ids=members.ids,
        min_size=min_size,
        max_size=max_size,
        num_groups=num_groups,
        slot_ids=slot_ids,
        seats=seats,
        available=members.available,
        priority=members.priority,
        interests=members.interests,
        features=None if has_weights else members.features,
        weights=weights,
        bonds=bonds,
        blocks=blocks,
        location=members.location,
        max_km=members.max_km,
    )
    return _with_v2(parsed, instance, members, venues)


def _with_v2(
    parsed: Instance, raw: dict, members: ParsedMembers, venues: np.ndarray | None
) -> Instance:
    """Add the v2 fields: venue reach, languages, about blend, preferred sizes.

    A v1 instance comes back unchanged (same object), so its code path stays the same.
    """
    about_weight = ABOUT_WEIGHT
    if raw.get("about_weight") is not None:
        about_weight = as_float(raw["about_weight"], "about_weight", minimum=0)
        if about_weight > 1:
            raise InstanceError("about_weight", f"must be at most 1, got {about_weight:g}")
    interest_weight = INTEREST_WEIGHT
    if raw.get("interest_weight") is not None:
        interest_weight = as_float(raw["interest_weight"], "interest_weight", minimum=0)
        if interest_weight > INTEREST_WEIGHT_MAX:
            raise InstanceError(
                "interest_weight",
                f"must be at most {INTEREST_WEIGHT_MAX:g}, got {interest_weight:g}",
            )
    if raw.get("version") is not None:
        version = as_int(raw["version"], "version", minimum=1)
        if version > 2:
            raise InstanceError("version", f"unsupported version {version} (1 or 2)")
    v2 = (
        raw.get("version") == 2
        or raw.get("about_weight") is not None
        or raw.get("interest_weight") is not None
        or venues is not None
        or members.languages is not None
        or members.about is not None
        or members.preferred_size is not None
    )
    if not v2:
        return parsed
    available, beyond = parsed.available, None
    if venues is not None:
        available, beyond = narrow_to_reach(available, parsed.location, parsed.max_km, venues)
    topics = None if members.about is None else about_topics(members.about)
    features, about_columns = parsed.features, 0
    if features is not None and interest_weight != INTEREST_WEIGHT:
        features = scale_rows(features, interest_weight)
    if topics is not None and features is not None and about_weight > 0:
        features = blend(features, topics.vectors, about_weight)
        about_columns = len(topics.terms)
    return replace(
        parsed,
        available=available,
        features=features,
        v2=True,
        slot_location=venues,
        beyond_reach=beyond,
        languages=members.languages,
        about=members.about,
        topics=topics,
        about_weight=about_weight,
        about_columns=about_columns,
        interest_weight=interest_weight,
        preferred_size=members.preferred_size,
    )


def _parse_slots(raw: object) -> tuple[list[str | None], np.ndarray, np.ndarray | None]:
    """Slot ids, seats (inf = unlimited) and venue locations (None when no slot has one)."""
    if raw is None:
        return [None], np.array([np.inf]), None
    slots = as_list(raw, "slots")
    if not slots:
        raise InstanceError("slots", "must list at least one slot (omit it for one implicit slot)")
    ids: list[str | None] = []
    seats = np.full(len(slots), np.inf)
    venues: np.ndarray | None = None
    for s, slot in enumerate(slots):
        where = f"slots[{s}]"
        as_dict(slot, where)
        slot_id = require(slot, "id", f"{where}.id")
        if not isinstance(slot_id, str) or not slot_id:
            raise InstanceError(f"{where}.id", f"must be a non-empty string, got {slot_id!r}")
        if slot_id in ids:
            raise InstanceError(f"{where}.id", f"duplicate slot id {slot_id!r}")
        ids.append(slot_id)
        if slot.get("seats") is not None:
            seats[s] = as_int(slot["seats"], f"{where}.seats", minimum=0)
        if slot.get("location") is not None:
            if venues is None:
                venues = np.full((len(slots), 2), np.nan)
            venues[s] = as_point(slot["location"], f"{where}.location")
    return ids, seats, venues
