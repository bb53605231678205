"""Conversions between stored naive-UTC times and a community's local time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from webapp.models import PARTS_OF_DAY


def to_local(utc_naive: datetime, timezone: str) -> datetime:
    """A stored naive-UTC time as an aware time in the given zone."""
    return utc_naive.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))


def to_utc(local_naive: datetime, timezone: str) -> datetime:
    """A wall-clock time in the given zone as naive UTC, for storing."""
    return local_naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC).replace(tzinfo=None)


def weekly_window(utc_naive: datetime, timezone: str) -> tuple[int, str]:
    """The (weekday, part of day) a stored time falls in, in the community's zone."""
    local = to_local(utc_naive, timezone)
    for part, (start, end) in PARTS_OF_DAY.items():
        if start <= local.hour < end:
            return local.weekday(), part
    return local.weekday(), "morning"  # small hours count as the morning
