"""Reading numbers from raw form values without ever raising."""

from __future__ import annotations


def int_or_none(value: str | None, max_digits: int = 9) -> int | None:
    """The integer a form value holds, or None for anything else ("", "²", "1e3", ...)."""
    text = (value or "").strip()
    if not text or len(text) > max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)
