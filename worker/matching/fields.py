"""Small typed readers for JSON fields that raise `InstanceError` naming the field.

Every check of user input goes through these helpers so that a bad instance always
produces a message of the form ``<field>: <what is wrong>`` and never a traceback.
"""

from __future__ import annotations

import math
from typing import Any


class InstanceError(ValueError):
    """Invalid matching instance; `field` names the offending field, e.g. members[3].id."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def require(obj: dict, key: str, where: str) -> Any:
    """Return obj[key] or raise a missing-field error for `where`."""
    if key not in obj:
        raise InstanceError(where, "is required")
    return obj[key]


def as_dict(value: Any, where: str) -> dict:
    """Check that value is a JSON object."""
    if not isinstance(value, dict):
        raise InstanceError(where, f"must be an object, got {type_name(value)}")
    return value


def as_list(value: Any, where: str) -> list:
    """Check that value is a JSON array."""
    if not isinstance(value, list):
        raise InstanceError(where, f"must be a list, got {type_name(value)}")
    return value


def as_str(value: Any, where: str) -> str:
    """Check that value is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise InstanceError(where, f"must be a non-empty string, got {value!r}")
    return value


def as_int(value: Any, where: str, minimum: int | None = None) -> int:
    """Check that value is an integer (not a bool), optionally at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InstanceError(where, f"must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise InstanceError(where, f"must be at least {minimum}, got {value}")
    return value


def as_float(value: Any, where: str, minimum: float | None = None) -> float:
    """Check that value is a finite number, optionally at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstanceError(where, f"must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InstanceError(where, f"must be a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise InstanceError(where, f"must be at least {minimum:g}, got {number:g}")
    return number


def type_name(value: Any) -> str:
    """JSON-flavoured name of a Python value's type, for messages."""
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number" if isinstance(value, int | float) else "unknown")


def as_text(value: Any, where: str) -> str:
    """Check that value is a string (empty allowed, e.g. a blank free-text answer)."""
    if not isinstance(value, str):
        raise InstanceError(where, f"must be a string, got {type_name(value)}")
    return value


def as_point(value: Any, where: str) -> tuple[float, float]:
    """Check that value is [latitude, longitude] in degrees."""
    point = as_list(value, where)
    if len(point) != 2:
        raise InstanceError(where, "must be [latitude, longitude]")
    lat = as_float(point[0], f"{where}[0]")
    lon = as_float(point[1], f"{where}[1]")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InstanceError(where, f"[{lat}, {lon}] is not a valid lat/lon")
    return lat, lon
