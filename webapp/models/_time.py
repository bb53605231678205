"""Time helpers shared by the models: every stored timestamp is naive UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as naive UTC, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)
