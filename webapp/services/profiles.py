"""A member's profile: name, interests, about text, weekly availability and the details
that help matching and venues (area, travel, group size, languages, diet, access needs).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext
from sqlalchemy import bindparam, func, inspect, select

from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import PARTS_OF_DAY, Availability, Community, Interest, Member, Membership
from webapp.models.members import member_interests
from webapp.services import languages as language_list
from webapp.services.errors import ServiceError
from webapp.services.places import check_point

MAX_INTERESTS = 30
MAX_INTEREST_LENGTH = 40
MAX_LANGUAGES = language_list.MAX_LANGUAGES
TRAVEL_CHOICES = (1, 2, 5, 10, 25, 50)
GROUP_SIZES = (3, 4, 5, 6)


def _normalise(raw: Iterable[str], limit: int, field_name: str) -> list[str]:
    """Lower-case, collapse spaces, drop empties and duplicates, keep first-seen order."""
    seen: dict[str, None] = {}
    for item in raw:
        name = " ".join("".join(c for c in str(item) if c.isprintable()).lower().split())
        if not name:
            continue
        if len(name) > MAX_INTEREST_LENGTH:
            raise ServiceError(
                gettext(
                    "Interests can be at most %(most)s characters: %(start)s...",
                    most=MAX_INTEREST_LENGTH,
                    start=name[:20],
                ),
                field=field_name,
            )
        seen.setdefault(name, None)
    if len(seen) > limit:
        raise ServiceError(
            gettext("Please pick at most %(most)s interests.", most=limit), field=field_name
        )
    return list(seen)


def normalise_interests(raw: Iterable[str]) -> list[str]:
    """Lower-case, collapse spaces, drop empties and duplicates, keep first-seen order."""
    return _normalise(raw, MAX_INTERESTS, "interests")


def normalise_languages(raw: Iterable[str]) -> list[str]:
    """Languages as ISO 639-1 codes (names or codes in any case are accepted; at most ten);
    a ServiceError names any language we do not know."""
    return language_list.to_codes(raw)


def split_list_text(text: str) -> list[str]:
    """Split a comma-, semicolon- or newline-separated list as typed in a form."""
    return (text or "").replace("\n", ",").replace(";", ",").split(",")


def split_interest_text(text: str) -> list[str]:
    """Split a comma- or newline-separated list of interests as typed in a form."""
    return normalise_interests(split_list_text(text))


@dataclass(frozen=True)
class Details:
    """The optional parts of a profile; None for a number means "not said"."""

    area: str = ""
    travel_km: int | None = None
    preferred_group_size: int | None = None
    no_groups_of_two: bool = False
    languages: list[str] = field(default_factory=list)
    diet: str = ""
    accessibility_needs: str = ""
    #: Home point (see `places.home_from_form`); both or neither.
    home_lat: float | None = None
    home_lon: float | None = None


def check_details(details: Details) -> Details:
    """Validated, normalised details; ServiceError names the field at fault."""
    area = " ".join((details.area or "").split())
    if len(area) > 80:
        raise ServiceError(gettext("Please keep the area to 80 characters."), field="area")
    if details.travel_km is not None and details.travel_km not in TRAVEL_CHOICES:
        raise ServiceError(gettext("Please choose one of the distances."), field="travel_km")
    size = details.preferred_group_size
    if size is not None and size not in GROUP_SIZES:
        raise ServiceError(gettext("Groups have 3 to 6 people."), field="preferred_group_size")
    home = None
    if details.home_lat is not None or details.home_lon is not None:
        home = check_point((details.home_lat, details.home_lon), "home_lat")
    texts = {}
    for name in ("diet", "accessibility_needs"):
        value = " ".join((getattr(details, name) or "").split())
        if len(value) > 300:
            raise ServiceError(gettext("Please keep this to 300 characters."), field=name)
        texts[name] = value
    return Details(
        area=area,
        travel_km=details.travel_km,
        preferred_group_size=size,
        no_groups_of_two=bool(details.no_groups_of_two),
        languages=normalise_languages(details.languages),
        home_lat=home[0] if home else None,
        home_lon=home[1] if home else None,
        **texts,
    )


#: Built once (building a statement costs more CPU than running it; the home page asks).
_HAS_INTEREST_AND_WINDOW = select(
    select(member_interests.c.member_id)
    .where(member_interests.c.member_id == bindparam("member_id"))
    .exists()
    & select(Availability.member_id)
    .where(Availability.member_id == bindparam("member_id"))
    .exists()
)


def profile_complete(member: Member) -> bool:
    """A name, at least one interest and at least one free window: enough to be matched."""
    if not member.display_name.strip():
        return False
    if not {"interests", "availability"} & inspect(member).unloaded:  # in memory already
        return bool(member.interests and member.availability)
    return bool(db.session.scalar(_HAS_INTEREST_AND_WINDOW, {"member_id": member.id}))


#: How long the popular interests of a set of communities are reused (seconds): counting
#: every fellow member's interests on each profile view grows with the community.
POPULAR_TAGS_SECONDS = 60.0
_POPULAR_CACHE_ENTRIES = 1000
#: Where the popular interests are kept, in `app.extensions` (one store per app).
POPULAR_CACHE = "hearth.popular_interests"


#: The profile page's own lists, built once and read as plain values: loading them through
#: the member's relationships costs several times more CPU (issue 8's load bench).
_INTEREST_NAMES = (
    select(Interest.name)
    .join(member_interests, member_interests.c.interest_id == Interest.id)
    .where(member_interests.c.member_id == bindparam("member_id"))
    .order_by(Interest.name)
)
_FREE_WINDOWS = select(Availability.weekday, Availability.part).where(
    Availability.member_id == bindparam("member_id")
)


def interest_names(member: Member) -> list[str]:
    """The member's interests, by name."""
    return list(db.session.scalars(_INTEREST_NAMES, {"member_id": member.id}))


def free_windows(member: Member) -> set[tuple[int, str]]:
    """The member's weekly windows as (weekday, part of day) pairs."""
    rows = db.session.execute(_FREE_WINDOWS, {"member_id": member.id})
    return {(weekday, part) for weekday, part in rows}


#: Built once (building a statement costs more CPU than running it; the profile page asks).
_COMMUNITY_TAGS = (
    select(Community.id, Community.interest_tags)
    .join(Membership, Membership.community_id == Community.id)
    .where(Membership.member_id == bindparam("member_id"))
    .order_by(Community.id)
)


def suggested_tags(member: Member, limit: int = 60) -> list[str]:
    """The tag list of the member's communities, then the interests popular among their
    fellow members (or everywhere, for someone in no community yet): for choosing quickly."""
    tags: dict[str, None] = {}
    rows = db.session.execute(_COMMUNITY_TAGS, {"member_id": member.id}).all()
    for _id, community_tags in rows:
        for tag in community_tags or []:
            tags.setdefault(" ".join(str(tag).lower().split()), None)
    for name in popular_interests(tuple(community_id for community_id, _ in rows), limit):
        tags.setdefault(name, None)
    return [t for t in tags if t][:limit]


def popular_interests(community_ids: tuple[int, ...], limit: int) -> list[str]:
    """The interests most members of these communities (all members when none) listed,
    reused for POPULAR_TAGS_SECONDS by this app process."""
    cache = current_app.extensions.setdefault(POPULAR_CACHE, {})
    now = time.monotonic()
    kept = cache.get((community_ids, limit))
    if kept is not None and now - kept[0] < POPULAR_TAGS_SECONDS:
        return list(kept[1])
    popular = (
        select(Interest.name)
        .join(member_interests, member_interests.c.interest_id == Interest.id)
        .group_by(Interest.name)
        .order_by(func.count().desc(), Interest.name)
        .limit(limit)
    )
    if community_ids:
        fellows = select(Membership.member_id).where(Membership.community_id.in_(community_ids))
        popular = popular.where(member_interests.c.member_id.in_(fellows))
    names = list(db.session.scalars(popular))
    if len(cache) >= _POPULAR_CACHE_ENTRIES:
        cache.clear()
    cache[(community_ids, limit)] = (now, names)
    return list(names)


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


#: The weekday part of an availability value: "0" (Monday) to "6" (Sunday), ASCII only
#: (str.isdigit also accepts "²", which int() then refuses).
WEEKDAY_DIGITS = frozenset("0123456")


def parse_availability(values: Iterable[str]) -> set[tuple[int, str]]:
    """Parse form values like "2-evening" into (weekday, part) pairs; reject unknown ones."""
    windows: set[tuple[int, str]] = set()
    for value in values:
        day, _, part = str(value).partition("-")
        if day not in WEEKDAY_DIGITS or part not in PARTS_OF_DAY:
            raise ServiceError(
                gettext("That availability choice is not one we know."), field="availability"
            )
        windows.add((int(day), part))
    return windows


def check_locale(value: str | None) -> str | None:
    """A language picked in the profile: one of the supported codes, or None for "not
    chosen" (pages follow the browser, emails the community's default)."""
    value = (value or "").strip()
    if not value:
        return None
    if value not in SUPPORTED_LOCALES:
        raise ServiceError(gettext("Please choose one of the languages offered."), field="locale")
    return value


def update_profile(
    member: Member,
    *,
    display_name: str,
    about: str,
    interests: list[str],
    availability: set[tuple[int, str]],
    details: Details | None = None,
) -> None:
    """Replace a member's profile in one commit (all or nothing); details stay as they are
    when `details` is None."""
    display_name = " ".join((display_name or "").split())
    if not 1 <= len(display_name) <= 80:
        raise ServiceError(
            gettext("Please tell us what to call you (up to 80 characters)."), field="display_name"
        )
    if len(about or "") > 1000:
        raise ServiceError(gettext("Please keep this to 1,000 characters."), field="about")
    checked = check_details(details) if details is not None else None
    member.display_name = display_name
    if checked is not None:
        for name in Details.__dataclass_fields__:
            setattr(member, name, getattr(checked, name))
    member.about = (about or "").strip()
    member.interests = interests_by_name(normalise_interests(interests))
    member.availability.clear()
    db.session.flush()  # delete old windows before inserting ones with the same key
    member.availability.extend(Availability(weekday=d, part=p) for d, p in sorted(availability))
    db.session.commit()
