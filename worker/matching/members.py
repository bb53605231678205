"""Validation of the `members` list: ids, slots, priority, features, travel limits and the
v2 fields (languages, about text, preferred group size)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from worker.matching.features import normalise_rows, tag_features
from worker.matching.fields import (
    InstanceError,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_point,
    as_str,
    as_text,
    require,
)


@dataclass
class ParsedMembers:
    """Column-wise member data, row i = members[i]."""

    ids: list[str]
    available: np.ndarray
    priority: np.ndarray
    interests: list[list[str]]
    features: np.ndarray | sp.csr_matrix | None
    location: np.ndarray
    max_km: np.ndarray
    languages: list[list[str]] | None = None  # None: no member lists languages
    about: list[str] | None = None  # None: no member has an about field
    preferred_size: np.ndarray | None = None  # 0 = no preference; None: nobody has one


def parse_members(
    raw: list, slot_ids: list[str | None], needs_features: bool, sizes: tuple[int, int]
) -> ParsedMembers:
    """Validate every member; features are required unless explicit weights are given.

    `sizes` is group_size (min, max), the range a `preferred_size` must lie in.
    """
    n = len(raw)
    slot_index = {slot_id: s for s, slot_id in enumerate(slot_ids) if slot_id is not None}
    parsed = ParsedMembers(
        ids=[],
        available=np.ones((n, len(slot_ids)), dtype=bool),
        priority=np.ones(n),
        interests=[],
        features=None,
        location=np.full((n, 2), np.nan),
        max_km=np.full(n, np.inf),
    )
    seen: dict[str, int] = {}
    vectors: list[list[float] | None] = []
    languages: list[list[str]] = []
    about: list[str] = []
    preferred = np.zeros(n, dtype=np.int64)
    for i, member in enumerate(raw):
        where = f"members[{i}]"
        as_dict(member, where)
        member_id = as_str(require(member, "id", f"{where}.id"), f"{where}.id")
        if member_id in seen:
            raise InstanceError(f"{where}.id", f"duplicate member id {member_id!r}")
        seen[member_id] = i
        parsed.ids.append(member_id)
        if member.get("available") is not None:
            parsed.available[i] = _parse_available(member["available"], slot_index, where)
        if member.get("priority") is not None:
            parsed.priority[i] = as_float(member["priority"], f"{where}.priority", minimum=0)
        parsed.interests.append(_parse_interests(member.get("interests"), where))
        vectors.append(_parse_vector(member.get("vector"), where))
        _parse_location(member, where, parsed, i)
        languages.append(_parse_languages(member.get("languages"), where))
        about.append(_parse_about(member.get("about"), where))
        if member.get("preferred_size") is not None:
            preferred[i] = _parse_preferred_size(member["preferred_size"], where, sizes)
        if needs_features and vectors[-1] is None and member.get("interests") is None:
            raise InstanceError(where, "needs interests or vector (or give top-level weights)")
    if needs_features:
        parsed.features = _features(vectors, parsed.interests)
    parsed.languages = languages if any(languages) else None
    parsed.about = about if any(member.get("about") is not None for member in raw) else None
    parsed.preferred_size = preferred if preferred.any() else None
    return parsed


def _parse_languages(raw: object, where: str) -> list[str]:
    """Language codes, lower-cased and de-duplicated; absent or [] = fits any group."""
    if raw is None:
        return []
    codes = [
        as_str(code, f"{where}.languages[{k}]").strip().lower()
        for k, code in enumerate(as_list(raw, f"{where}.languages"))
    ]
    return list(dict.fromkeys(codes))


def _parse_about(raw: object, where: str) -> str:
    return "" if raw is None else as_text(raw, f"{where}.about")


def _parse_preferred_size(raw: object, where: str, sizes: tuple[int, int]) -> int:
    size = as_int(raw, f"{where}.preferred_size")
    if not sizes[0] <= size <= sizes[1]:
        raise InstanceError(
            f"{where}.preferred_size", f"{size} is outside group_size [{sizes[0]}, {sizes[1]}]"
        )
    return size


def _parse_available(raw: object, slot_index: dict[str, int], where: str) -> np.ndarray:
    row = np.zeros(len(slot_index) or 1, dtype=bool)
    for k, slot_id in enumerate(as_list(raw, f"{where}.available")):
        if not isinstance(slot_id, str) or slot_id not in slot_index:
            raise InstanceError(f"{where}.available[{k}]", f"unknown slot id {slot_id!r}")
        row[slot_index[slot_id]] = True
    return row


def _parse_interests(raw: object, where: str) -> list[str]:
    if raw is None:
        return []
    values = as_list(raw, f"{where}.interests")
    if set(map(type, values)) <= {str}:  # fast path: all strings
        tags = [tag.strip().lower() for tag in values]
        if all(tags):
            return list(dict.fromkeys(tags))
    tags = []
    for k, tag in enumerate(values):
        tag = as_str(tag, f"{where}.interests[{k}]").strip().lower()
        if tag not in tags:
            tags.append(tag)
    return tags


def _parse_vector(raw: object, where: str) -> list[float] | None:
    if raw is None:
        return None
    values = as_list(raw, f"{where}.vector")
    if not values:
        raise InstanceError(f"{where}.vector", "must not be empty")
    if set(map(type, values)) <= {float, int}:  # fast path: numbers, no bools
        array = np.asarray(values, dtype=np.float64)
        if np.isfinite(array).all():
            return values
    return [as_float(x, f"{where}.vector[{k}]") for k, x in enumerate(values)]


def _parse_location(member: dict, where: str, parsed: ParsedMembers, i: int) -> None:
    if member.get("location") is not None:
        parsed.location[i] = as_point(member["location"], f"{where}.location")
    if member.get("max_km") is not None:
        if member.get("location") is None:
            raise InstanceError(f"{where}.max_km", "needs the member's location")
        parsed.max_km[i] = as_float(member["max_km"], f"{where}.max_km", minimum=0)


def _features(
    vectors: list[list[float] | None], interests: list[list[str]]
) -> np.ndarray | sp.csr_matrix:
    given = [k for k, v in enumerate(vectors) if v is not None]
    if not given:
        return tag_features(interests)
    dim = len(vectors[given[0]] or [])
    for k, vector in enumerate(vectors):
        if vector is None:
            raise InstanceError(f"members[{k}].vector", "required: other members give vectors")
        if len(vector) != dim:
            raise InstanceError(
                f"members[{k}].vector", f"has length {len(vector)}, members[{given[0]}] has {dim}"
            )
    return normalise_rows(np.asarray(vectors, dtype=np.float64))
