"""Organizer endpoints: the community, its meetups and slots, opt-ins, published groups,
dashboard figures and exports. Each view first checks the token against the community in
the address (`organizer_community`), then hands the change to the same service the pages
use, so the API keeps every rule the pages keep (and their audit entries, in the name of
the organizer who made the token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from webapp.api import bp
from webapp.api.auth import meetup_of, organizer_community
from webapp.api.operations import ORGANIZER, operation
from webapp.api.problems import REFUSED, ProblemError
from webapp.api.schemas import (
    CommunityEditSchema,
    CommunitySchema,
    EditOutcomeSchema,
    ExportSchema,
    GroupListSchema,
    MeetupEditSchema,
    MeetupInputSchema,
    MeetupListSchema,
    MeetupSchema,
    MetricsSchema,
    OptInListSchema,
    RangeQuerySchema,
    SlotEditSchema,
    SlotInputSchema,
    SlotSchema,
)
from webapp.extensions import db
from webapp.models import Community, Meetup, MeetupSlot, MeetupStatus
from webapp.services import (
    communities,
    dashboard,
    dashboard_export,
    meetup_edits,
    meetups,
    metrics,
    outbox,
)
from webapp.services.errors import ServiceError
from webapp.services.groups import shared_phrase
from webapp.services.match_preview import preview_of
from webapp.timeutil import to_local

COMMUNITY = "/communities/<slug>"
MEETUP = COMMUNITY + "/meetups/<int:meetup_id>"


def refused(error: ServiceError) -> ProblemError:
    """A service's refusal (a broken rule, in the words the pages show) as a 422."""
    errors = [{"field": error.field, "pointer": f"/{error.field}", "detail": error.message}]
    return ProblemError(
        422, error.message, type_=REFUSED, title="Refused", errors=errors if error.field else None
    )


def _local(moment: datetime, timezone: str) -> datetime:
    """A request time as the naive local time the services take: a time with an offset is
    converted, one without is already the community's wall-clock time."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def _point(lat: float | None, lon: float | None, field: str) -> tuple[float, float] | None:
    if (lat is None) != (lon is None):
        raise ProblemError(
            422,
            "Give both lat and lon, or neither.",
            type_=REFUSED,
            title="Refused",
            errors=[{"field": field, "pointer": f"/{field}", "detail": "Give lat and lon."}],
        )
    return (lat, lon) if lat is not None and lon is not None else None


#: A community's meetups with their slots and venues in two queries, not two per meetup
#: (a community with a year of weekly rounds listed 50 meetups one lazy load at a time).
_MEETUPS = (
    select(Meetup)
    .options(selectinload(Meetup.slots).joinedload(MeetupSlot.venue))
    .where(Meetup.community_id == bindparam("community_id"))
    .order_by(Meetup.id.desc())
)


def _community(community: Community) -> dict[str, Any]:
    return {
        "slug": community.slug,
        "name": community.name,
        "description": community.description,
        "city": community.city,
        "timezone": community.timezone,
        "interest_tags": list(community.interest_tags or []),
        "member_count": metrics.member_count(community),
    }


@bp.get(COMMUNITY)
@operation("The community's details", auth=ORGANIZER, response=CommunitySchema)
def community(slug: str) -> dict[str, Any]:
    found, _ = organizer_community(slug)
    return _community(found)


@bp.patch(COMMUNITY)
@operation(
    "Edit the community's basic fields",
    auth=ORGANIZER,
    body=CommunityEditSchema,
    response=CommunitySchema,
    errors=(422,),
    description="As the settings page: fields left out keep their value.",
)
def edit_community(slug: str, body: dict[str, Any]) -> dict[str, Any]:
    found, actor = organizer_community(slug)
    fields = ("name", "description", "city", "timezone", "interest_tags")
    merged = {name: body.get(name, getattr(found, name)) for name in fields}
    merged["interest_tags"] = list(merged["interest_tags"] or [])
    try:
        communities.update_settings(found, actor, **merged)
    except ServiceError as error:
        raise refused(error) from None
    return _community(found)


@bp.get(COMMUNITY + "/meetups")
@operation("The community's meetups, newest first", auth=ORGANIZER, response=MeetupListSchema)
def list_meetups(slug: str) -> dict[str, Any]:
    found, _ = organizer_community(slug)
    return {"meetups": db.session.scalars(_MEETUPS, {"community_id": found.id}).all()}


def _options(body: dict[str, Any], meetup: Meetup | None = None) -> meetups.MeetupOptions:
    """The matching options from the body, the meetup's (or the defaults) for the rest."""
    base = meetup or meetups.MeetupOptions()
    return meetups.MeetupOptions(
        **{
            name: body.get(name, getattr(base, name))
            for name in (
                "group_min",
                "group_max",
                "policy",
                "welcome_newcomers",
                "standby_enabled",
                "auto_publish",
            )
        }
    )


@bp.post(COMMUNITY + "/meetups")
@operation(
    "Schedule a meetup",
    auth=ORGANIZER,
    body=MeetupInputSchema,
    response=MeetupSchema,
    status=201,
    errors=(422,),
    description="One meetup with its slots (recurring series are made on the pages).",
)
def create_meetup(slug: str, body: dict[str, Any]) -> Meetup:
    found, actor = organizer_community(slug)
    tz = found.timezone
    specs = [
        meetups.SlotSpec(
            _local(slot["starts_at"], tz),
            slot["venue_name"],
            slot["address"],
            slot["capacity"],
            slot["accessibility_notes"],
            _point(slot["lat"], slot["lon"], f"slots/{n}/lat"),
        )
        for n, slot in enumerate(body["slots"])
    ]
    try:
        return meetups.schedule_meetup(
            found,
            title=body["title"],
            optin_deadline_local=_local(body["optin_deadline"], tz),
            slots=specs,
            options=_options(body),
            actor=actor,
        )
    except ServiceError as error:
        raise refused(error) from None


@bp.get(MEETUP)
@operation("One meetup with its slots", auth=ORGANIZER, response=MeetupSchema)
def meetup(slug: str, meetup_id: int) -> Meetup:
    found, _ = organizer_community(slug)
    return meetup_of(found, meetup_id)


def _outcome(found: Meetup, outcome: meetup_edits.EditOutcome) -> dict[str, Any]:
    return {
        "meetup": found,
        "edited_meetup_ids": [m.id for m in outcome.edited],
        "skipped_meetup_ids": [m.id for m in outcome.skipped],
        "emails_queued": outcome.emails,
        "members_not_told": outcome.untold,
    }


def _apply(found: Meetup, actor, edit: meetup_edits.MeetupEdit, to_series: bool):  # type: ignore[no-untyped-def]
    """Run an edit through meetup_edits (the pages' rules); a refusal is a 422."""
    if found.status == MeetupStatus.CANCELLED:
        raise refused(
            ServiceError(gettext("This meetup is cancelled; it can no longer be edited."))
        )
    try:
        return meetup_edits.apply_edit(found, actor, edit, to_series=to_series)
    except ServiceError as error:
        raise refused(error) from None


@bp.patch(MEETUP)
@operation(
    "Edit a meetup's settings",
    auth=ORGANIZER,
    body=MeetupEditSchema,
    response=EditOutcomeSchema,
    errors=(422,),
    description="Title, deadline, group sizes, policy and switches change only while the "
    "meetup is open for opt-ins; fields left out keep their value.",
)
def edit_meetup(slug: str, meetup_id: int, body: dict[str, Any]) -> dict[str, Any]:
    found_community, actor = organizer_community(slug)
    found = meetup_of(found_community, meetup_id)
    deadline = body.get("optin_deadline")
    edit = meetup_edits.MeetupEdit(
        title=body.get("title", found.title),
        optin_deadline_local=_local(deadline, found_community.timezone)
        if deadline
        else meetups.local_deadline(found),
        options=_options(body, found),
    )
    outcome = _apply(found, actor, edit, bool(body["apply_to_series"]))
    return _outcome(found, outcome)


@bp.post(MEETUP + "/slots")
@operation(
    "Add a time slot",
    auth=ORGANIZER,
    body=SlotInputSchema,
    response=SlotSchema,
    status=201,
    errors=(422,),
    description="Until the groups are published, as on the edit page.",
)
def create_slot(slug: str, meetup_id: int, body: dict[str, Any]) -> MeetupSlot:
    found_community, actor = organizer_community(slug)
    found = meetup_of(found_community, meetup_id)
    before = {slot.id for slot in found.slots}
    row = meetup_edits.SlotEdit(
        None,
        _local(body["starts_at"], found_community.timezone),
        body["venue_name"],
        body["address"],
        body["capacity"],
        body["accessibility_notes"],
        False,
        _point(body["lat"], body["lon"], "lat"),
    )
    _apply(found, actor, meetup_edits.MeetupEdit(slots=[row]), False)
    return next(slot for slot in found.slots if slot.id not in before)


@bp.patch(MEETUP + "/slots/<int:slot_id>")
@operation(
    "Move a slot or change its venue",
    auth=ORGANIZER,
    body=SlotEditSchema,
    response=EditOutcomeSchema,
    errors=(422,),
    description="As on the edit page: never into the past, never fewer seats than members "
    "placed there; members of published groups are emailed the change.",
)
def edit_slot(slug: str, meetup_id: int, slot_id: int, body: dict[str, Any]) -> dict[str, Any]:
    found_community, actor = organizer_community(slug)
    found = meetup_of(found_community, meetup_id)
    slot = next((s for s in found.slots if s.id == slot_id), None)
    if slot is None:
        raise ProblemError(404)
    tz, venue = found_community.timezone, slot.venue
    starts = body.get("starts_at")
    if "lat" in body or "lon" in body:
        location = _point(body.get("lat"), body.get("lon"), "lat")
    else:
        location = venue.location
    row = meetup_edits.SlotEdit(
        slot.id,
        _local(starts, tz) if starts else to_local(slot.starts_at, tz).replace(tzinfo=None),
        body.get("venue_name", venue.name),
        body.get("address", venue.address),
        body.get("capacity", venue.capacity),
        body.get("accessibility_notes", venue.accessibility_notes),
        False,
        location,
    )
    edit = meetup_edits.MeetupEdit(slots=[row])
    return _outcome(found, _apply(found, actor, edit, bool(body["apply_to_series"])))


@bp.get(MEETUP + "/optins")
@operation(
    "Who opted in to a meetup",
    auth=ORGANIZER,
    response=OptInListSchema,
    description="First names only, with the organizer's note and the slots each can make.",
)
def optins(slug: str, meetup_id: int) -> dict[str, Any]:
    found_community, _ = organizer_community(slug)
    found = meetup_of(found_community, meetup_id)
    rows = sorted(found.optins, key=lambda o: (o.created_at, o.id))
    return {
        "optins": [
            {
                "member_id": o.member_id,
                "first_name": o.member.first_name,
                "opted_in_at": o.created_at,
                "note": o.note or "",
                "slot_ids": o.slot_ids,
            }
            for o in rows
        ]
    }


@bp.get(MEETUP + "/groups")
@operation(
    "The groups of a published meetup",
    auth=ORGANIZER,
    response=GroupListSchema,
    errors=(409,),
    description="Only once published (a preview is a draft: 409). Members by first name.",
)
def groups(slug: str, meetup_id: int) -> dict[str, Any]:
    found_community, _ = organizer_community(slug)
    found = meetup_of(found_community, meetup_id)
    if found.status != MeetupStatus.MATCHED:
        raise ProblemError(409, "The groups of this meetup are not published.")
    preview = preview_of(found)
    return {
        "meetup_id": found.id,
        "groups": [
            {
                "id": g.group.id,
                "number": g.number,
                "slot_id": g.slot.id,
                "starts_at": g.slot.starts_at,
                "venue": g.slot.venue.name,
                "shared": shared_phrase(list(g.group.why or [])),
                "members": [
                    {"member_id": s.member_id, "first_name": s.member.first_name, "rsvp": s.rsvp}
                    for s in g.group.members
                ],
            }
            for g in preview.groups
        ],
    }


@bp.get(COMMUNITY + "/metrics")
@operation(
    "The dashboard's figures",
    auth=ORGANIZER,
    response=MetricsSchema,
    description="Members, active members, per-meetup counts and undelivered emails; the "
    "series behind the charts are the exports.",
)
def community_metrics(slug: str) -> dict[str, Any]:
    found, _ = organizer_community(slug)
    snapshot = dashboard.snapshot_of(found)
    return {
        "computed_at": snapshot["computed_at"],
        "member_count": metrics.member_count(found),
        "member_total": snapshot["member_total"],
        "active_30d": snapshot["active_30d"],
        "failed_emails": len(outbox.failed_emails(found.id)),
        "meetups": [
            {
                "meetup_id": c.meetup.id,
                "title": c.meetup.title,
                "status": c.meetup.status,
                "opted_in": c.opted_in,
                "matched": c.matched,
                "emails_sent": c.emails_sent,
            }
            for c in metrics.meetup_counts(found)
        ],
    }


@bp.get(COMMUNITY + "/exports/<name>")
@operation(
    "One dashboard export as JSON",
    auth=ORGANIZER,
    query=RangeQuerySchema,
    response=ExportSchema,
    description="The rows of the dashboard's CSV of the same name, for the date range; "
    "never with email addresses (the pages' audited download has them).",
)
def export(slug: str, name: str, query: dict[str, Any]) -> dict[str, Any]:
    found, _ = organizer_community(slug)
    if name not in dashboard_export.EXPORTS:
        raise ProblemError(404, f"No export named {name!r}.")
    start, end = query.get("start"), query.get("end")
    if start and end and start > end:
        start, end = end, start
    data = dashboard.filtered(dashboard.snapshot_of(found), dashboard.DateRange(start, end))
    header, rows = dashboard_export.table(data, name)
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    return {"name": name, "columns": header, "rows": cells}
