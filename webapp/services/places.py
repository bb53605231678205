"""Places without a map: the areas organizers name (with a point each), coordinates typed
into forms, and the distance between two points.

Nothing is geocoded and no map is loaded from the internet: an organizer types an area's
coordinates once ("Old Town", 51.75, -1.26), members pick the area by name (or type their
own coordinates), and venues carry coordinates when the organizer gives them. Matching uses
the points to keep each member's meetups within their travel distance.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Community, CommunityArea, Member, Membership
from webapp.services import audit
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

#: The most areas one community may name (a select list longer than this stops helping).
MAX_AREAS = 60
#: Mean Earth radius in km, for great-circle distances (the engine uses the same figure).
EARTH_RADIUS_KM = 6371.0

Point = tuple[float, float]


def parse_coordinate(
    text: str | None, what: str, field: str, low: float, high: float
) -> float | None:
    """A typed coordinate as a float, None when left blank; ServiceError (naming the field)
    for anything that is not a number between `low` and `high`."""
    value = (text or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value) if len(value) <= 20 else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        message = (
            gettext("The latitude must be a number such as 51.5072.")
            if what == "latitude"
            else gettext("The longitude must be a number such as -0.1276.")
        )
        raise ServiceError(message, field=field)
    if not low <= number <= high:
        bounds = {"low": f"{low:g}", "high": f"{high:g}"}
        message = (
            gettext("The latitude must be between %(low)s and %(high)s degrees.", **bounds)
            if what == "latitude"
            else gettext("The longitude must be between %(low)s and %(high)s degrees.", **bounds)
        )
        raise ServiceError(message, field=field)
    return number


def parse_point(
    lat_text: str | None, lon_text: str | None, lat_field: str, lon_field: str
) -> Point | None:
    """(lat, lon) from two typed values, None when both are blank; ServiceError for an
    out-of-range value or only one of the two."""
    lat = parse_coordinate(lat_text, "latitude", lat_field, -90.0, 90.0)
    lon = parse_coordinate(lon_text, "longitude", lon_field, -180.0, 180.0)
    if (lat is None) != (lon is None):
        missing = lat_field if lat is None else lon_field
        raise ServiceError(
            gettext("Please give both the latitude and the longitude, or neither."), missing
        )
    return None if lat is None or lon is None else (lat, lon)


def check_point(point: Point | None, field: str) -> Point | None:
    """The point itself when both numbers are finite and in range (ServiceError otherwise)."""
    if point is None:
        return None
    lat, lon = point
    if lat is None or lon is None:
        raise ServiceError(
            gettext("Please give both the latitude and the longitude, or neither."), field
        )
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ServiceError(gettext("Coordinates must be numbers."), field=field)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ServiceError(
            gettext("Latitude must be between -90 and 90 and longitude between -180 and 180."),
            field,
        )
    return float(lat), float(lon)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance between two (lat, lon) points in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def clean_area_name(name: str) -> str:
    """An area name with tidy spaces, 1 to 80 characters (ServiceError otherwise)."""
    name = " ".join("".join(c for c in str(name or "") if c.isprintable()).split())
    if not 1 <= len(name) <= 80:
        raise ServiceError(
            gettext("Please give the area a name of up to 80 characters."), field="area_name"
        )
    return name


def add_area(community: Community, actor: Member | None, name: str, point: Point) -> CommunityArea:
    """Name a new area of the community with its point, in one commit with its audit entry."""
    name = clean_area_name(name)
    lat, lon = check_point(point, "area_lat") or (0.0, 0.0)
    existing = list(community.areas)
    if any(area.name.casefold() == name.casefold() for area in existing):
        raise ServiceError(
            gettext("There is already an area called %(name)s.", name=name), field="area_name"
        )
    if len(existing) >= MAX_AREAS:
        raise ServiceError(
            gettext("A community can name at most %(most)s areas.", most=MAX_AREAS),
            field="area_name",
        )
    area = CommunityArea(name=name, lat=lat, lon=lon)
    community.areas.append(area)
    db.session.flush()
    audit.record(community, actor, "area.added", f"Added the area {name} ({lat:.5f}, {lon:.5f})")
    db.session.commit()
    log.info("community %s: area %s added", community.id, area.id)
    return area


def remove_area(community: Community, actor: Member | None, area_id: int) -> str:
    """Remove one of the community's areas; return its name. Members who picked it keep
    their home point and area name (they chose it; it stays true of where they live)."""
    area = next((a for a in community.areas if a.id == area_id), None)
    if area is None:
        raise ServiceError(gettext("That area is not one of this community's."))
    name = area.name
    community.areas.remove(area)
    audit.record(community, actor, "area.removed", f"Removed the area {name}")
    db.session.commit()
    log.info("community %s: area %s removed", community.id, area_id)
    return name


def areas_for(member: Member) -> list[CommunityArea]:
    """The areas of every community the member belongs to, by name (one entry per name:
    communities naming the same area alike count once, the first one's point wins)."""
    rows = db.session.scalars(
        select(CommunityArea)
        .join(Membership, Membership.community_id == CommunityArea.community_id)
        .where(Membership.member_id == member.id)
        .order_by(CommunityArea.name, CommunityArea.id)
    )
    seen: dict[str, CommunityArea] = {}
    for area in rows:
        seen.setdefault(area.name, area)
    return list(seen.values())


@dataclass(frozen=True)
class Home:
    """Where a member lives, as far as matching needs it: a point (or None) and the name of
    the area it came from (None when typed, so the free-text area stays as written)."""

    point: Point | None
    area_name: str | None = None


def home_from_form(member: Member, area_choice: str, lat_text: str, lon_text: str) -> Home:
    """The member's home from the profile form: one of their communities' areas by name, or
    typed coordinates, or neither. ServiceError for an unknown area, both at once, an
    out-of-range or half-given point."""
    choice = " ".join((area_choice or "").split())
    typed = parse_point(lat_text, lon_text, "home_lat", "home_lon")
    if not choice:
        return Home(typed)
    if typed is not None:
        raise ServiceError(
            gettext("Please either pick an area or type coordinates, not both."), field="home_area"
        )
    area = next((a for a in areas_for(member) if a.name == choice), None)
    if area is None:
        raise ServiceError(
            gettext(
                "“%(name)s” is not an area of your communities; please pick one from the list.",
                name=choice[:80],
            ),
            field="home_area",
        )
    return Home((area.lat, area.lon), area.name)
