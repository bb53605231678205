"""The matching engine's "why you weren't placed" reasons, in the reader's language.

The engine (`worker.matching.explain.unmatched_reason`) is pure and Flask-free: it returns
fixed English sentences, which are stored as they are in `Meetup.unmatched`. The web app
shows them through `reason_text`, which looks each known sentence up here and returns it
translated. A reason this table does not know (an engine version with a new sentence, or
an old stored one) is shown as the engine wrote it in English, and as a generic sentence
in every other language, since its words cannot be translated.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from webapp.i18n import current_language

#: Every sentence `unmatched_reason` can return, keyed by the engine's exact text.
REASONS = {
    "no time slot within travel distance": _l("No time slot within travel distance"),
    "no available time slot": _l("No available time slot"),
    "not enough members free at the same time": _l("Not enough members free at the same time"),
    "blocked with everyone available": _l("Blocked with everyone available"),
    "no group shares a language": _l("No group shares a language"),
    "venue full at every time slot you are free": _l("Venue full at every time slot you are free"),
    "too far from other members": _l("Too far from other members"),
    "all groups at your time slots are full": _l("All groups at your time slots are full"),
    "no group at your time slots had room that fits your blocks and travel limits": _l(
        "No group at your time slots had room that fits your blocks and travel limits"
    ),
}


def generic_reason() -> str:
    """The sentence used when the engine gave no reason (or one we cannot translate)."""
    return gettext("There were not enough seats or shared free times for everyone.")


def reason_text(reason: str | None) -> str:
    """The engine's reason in the language in force, starting with a capital letter."""
    if not reason:
        return generic_reason()
    known = REASONS.get(reason.strip().lower())
    if known is not None:
        return str(known)
    if current_language() == "en":
        return reason[:1].upper() + reason[1:]
    return generic_reason()
