"""Member endpoints (read-only, member token): the member's own published groups and their
calendar, as the member pages show them (first names of the others, never an email)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from webapp.api import bp
from webapp.api.auth import token_member
from webapp.api.operations import MEMBER, operation
from webapp.api.schemas import CalendarSchema, MyGroupListSchema
from webapp.models._time import utcnow
from webapp.services import calendar, calendar_feed, groups
from webapp.services.groups import MyGroup


def _group(mine: MyGroup) -> dict[str, Any]:
    venue = mine.group.slot.venue
    return {
        "id": mine.group.id,
        "meetup_id": mine.meetup.id,
        "meetup_title": mine.meetup.title,
        "community": mine.meetup.community.name,
        "community_slug": mine.meetup.community.slug,
        "starts_at": mine.starts_at,
        "venue": venue.name,
        "address": venue.address,
        "my_rsvp": mine.my_rsvp,
        "shared": mine.shared,
        "companions": [{"first_name": c.first_name, "rsvp": c.rsvp} for c in mine.companions],
    }


@bp.get("/me/groups")
@operation("My published groups, most recent first", auth=MEMBER, response=MyGroupListSchema)
def my_groups() -> dict[str, Any]:
    return {"groups": [_group(g) for g in groups.groups_of(token_member())]}


@bp.get("/me/calendar")
@operation(
    "My upcoming meetups, and my private iCalendar feed",
    auth=MEMBER,
    response=CalendarSchema,
    description="The events of the feed (from yesterday on) as JSON; `feed_url` is the "
    "same feed for calendar apps.",
)
def my_calendar() -> dict[str, Any]:
    member = token_member()
    since = utcnow() - timedelta(days=1)
    upcoming = sorted(
        (g for g in groups.groups_of(member) if g.starts_at >= since), key=lambda g: g.starts_at
    )
    return {
        "feed_url": calendar_feed.feed_url(member),
        "events": [
            {
                "group_id": g.group.id,
                "meetup_id": g.meetup.id,
                "title": g.meetup.title,
                "starts_at": g.starts_at,
                "ends_at": g.starts_at + calendar.MEETUP_LENGTH,
                "venue": g.group.slot.venue.name,
                "address": g.group.slot.venue.address,
            }
            for g in upcoming
        ],
    }
