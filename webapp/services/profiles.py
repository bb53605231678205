"""A member's profile: name, about text, interests and weekly availability."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import PARTS_OF_DAY, Availability, Interest, Member
from webapp.services.errors import ServiceError

MAX_INTERESTS = 30
MAX_INTEREST_LENGTH = 40


def normalise_interests(raw: Iterable[str]) -> list[str]:
    """Lower-case, collapse spaces, drop empties and duplicates, keep first-seen order."""
    seen: dict[str, None] = {}
    for item in raw:
        name = " ".join(str(item).lower().split())
        if not name:
            continue
        if len(name) > MAX_INTEREST_LENGTH:
            raise ServiceError(
                f"Interests can be at most {MAX_INTEREST_LENGTH} characters: {name[:20]}...",
                field="interests",
            )
        seen.setdefault(name, None)
    if len(seen) > MAX_INTERESTS:
        raise ServiceError(f"Please pick at most {MAX_INTERESTS} interests.", field="interests")
    return list(seen)


def split_interest_text(text: str) -> list[str]:
    """Split a comma- or newline-separated list of interests as typed in a form."""
    return normalise_interests(text.replace("\n", ",").split(","))


def interests_by_name(names: list[str]) -> list[Interest]:
    """The Interest rows for these normalised names, creating the missing ones."""
    existing = {
        i.name: i for i in db.session.scalars(select(Interest).where(Interest.name.in_(names)))
    }
    for name in names:
        if name not in existing:
            existing[name] = Interest(name=name)
            db.session.add(existing[name])
    return [existing[name] for name in names]


def parse_availability(values: Iterable[str]) -> set[tuple[int, str]]:
    """Parse form values like "2-evening" into (weekday, part) pairs; reject unknown ones."""
    windows: set[tuple[int, str]] = set()
    for value in values:
        day, _, part = str(value).partition("-")
        if not day.isdigit() or not 0 <= int(day) <= 6 or part not in PARTS_OF_DAY:
            raise ServiceError("That availability choice is not one we know.", field="availability")
        windows.add((int(day), part))
    return windows


def update_profile(
    member: Member,
    *,
    display_name: str,
    about: str,
    interests: list[str],
    availability: set[tuple[int, str]],
) -> None:
    """Replace a member's profile in one commit (all or nothing)."""
    display_name = " ".join((display_name or "").split())
    if not 1 <= len(display_name) <= 80:
        raise ServiceError(
            "Please tell us what to call you (up to 80 characters).", field="display_name"
        )
    if len(about or "") > 1000:
        raise ServiceError("Please keep this to 1,000 characters.", field="about")
    member.display_name = display_name
    member.about = (about or "").strip()
    member.interests = interests_by_name(normalise_interests(interests))
    member.availability.clear()
    db.session.flush()  # delete old windows before inserting ones with the same key
    member.availability.extend(Availability(weekday=d, part=p) for d, p in sorted(availability))
    db.session.commit()
