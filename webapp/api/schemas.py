"""The API's request and response shapes (marshmallow), from which apispec writes the
OpenAPI 3.1 description: one definition serves validation, serialisation and the docs.

Times in responses are UTC (`...Z`). Times in requests may carry an offset; without one
they are read in the community's time zone, as the organizer pages read them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, validate

from webapp.models import MatchingPolicy, MeetupStatus, Rsvp
from webapp.services.dashboard_export import EXPORTS


class _Out(Schema):
    """Response schemas: every field is always present (marked required for the spec)."""

    class Meta:
        ordered = True


def _out(field: fields.Field) -> fields.Field:
    field.required = True
    return field


class Utc(fields.Field):
    """A stored naive-UTC time, written as ISO 8601 with Z (output only)."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- problems ----------------------------------------------------------------------------


class FieldErrorSchema(_Out):
    field = _out(fields.String(metadata={"description": "Dotted field name ('' = the body)."}))
    pointer = _out(fields.String(metadata={"description": "JSON pointer into the body."}))
    detail = _out(fields.String())


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String(required=True, metadata={"examples": ["about:blank"]})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))


# -- community ---------------------------------------------------------------------------


class CommunitySchema(_Out):
    slug = _out(fields.String())
    name = _out(fields.String())
    description = _out(fields.String())
    city = _out(fields.String())
    timezone = _out(fields.String(metadata={"description": "IANA time zone name."}))
    interest_tags = _out(fields.List(fields.String()))
    member_count = _out(fields.Integer())


class CommunityEditSchema(Schema):
    """Basic fields; any left out keep their value."""

    name = fields.String(validate=validate.Length(min=2, max=120))
    description = fields.String(validate=validate.Length(max=2000))
    city = fields.String(validate=validate.Length(max=120))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    interest_tags = fields.List(fields.String(validate=validate.Length(max=60)))


# -- meetups and slots -------------------------------------------------------------------


class VenueSchema(_Out):
    name = _out(fields.String())
    address = _out(fields.String())
    capacity = _out(fields.Integer())
    accessibility_notes = _out(fields.String())
    lat = _out(fields.Float(allow_none=True))
    lon = _out(fields.Float(allow_none=True))


class SlotSchema(_Out):
    id = _out(fields.Integer())
    starts_at = _out(Utc())
    venue = _out(fields.Nested(VenueSchema))


class MeetupSchema(_Out):
    id = _out(fields.Integer())
    title = _out(fields.String())
    status = _out(fields.Enum(MeetupStatus, by_value=True))
    optin_deadline = _out(Utc())
    group_min = _out(fields.Integer())
    group_max = _out(fields.Integer())
    policy = _out(fields.Enum(MatchingPolicy, by_value=True))
    welcome_newcomers = _out(fields.Boolean())
    standby_enabled = _out(fields.Boolean())
    auto_publish = _out(fields.Boolean())
    series_id = _out(fields.Integer(allow_none=True))
    published_at = _out(Utc(allow_none=True))
    slots = _out(fields.List(fields.Nested(SlotSchema)))


class MeetupListSchema(_Out):
    meetups = _out(fields.List(fields.Nested(MeetupSchema)))


_LOCAL = {"description": "ISO 8601; without an offset, in the community's time zone."}


class SlotInputSchema(Schema):
    """A new slot: when, and the venue."""

    starts_at = fields.DateTime(required=True, metadata=_LOCAL)
    venue_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    capacity = fields.Integer(load_default=30, validate=validate.Range(1, 10_000))
    accessibility_notes = fields.String(load_default="", validate=validate.Length(max=500))
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))


class SlotEditSchema(Schema):
    """A slot's changes; fields left out keep their value."""

    starts_at = fields.DateTime(metadata=_LOCAL)
    venue_name = fields.String(validate=validate.Length(min=1, max=120))
    address = fields.String(validate=validate.Length(max=255))
    capacity = fields.Integer(validate=validate.Range(1, 10_000))
    accessibility_notes = fields.String(validate=validate.Length(max=500))
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    apply_to_series = fields.Boolean(
        load_default=False,
        metadata={"description": "Also move this slot in every later open meetup of the series."},
    )


class _MeetupSettings(Schema):
    group_min = fields.Integer(validate=validate.Range(2, 12))
    group_max = fields.Integer(validate=validate.Range(2, 12))
    policy = fields.Enum(MatchingPolicy, by_value=True)
    welcome_newcomers = fields.Boolean()
    standby_enabled = fields.Boolean()
    auto_publish = fields.Boolean()


class MeetupInputSchema(_MeetupSettings):
    """A new meetup with one to ten slots (defaults as on the page)."""

    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    optin_deadline = fields.DateTime(required=True, metadata=_LOCAL)
    slots = fields.List(
        fields.Nested(SlotInputSchema), required=True, validate=validate.Length(min=1, max=10)
    )


class MeetupEditSchema(_MeetupSettings):
    """A meetup's settings (only while open for opt-ins); fields left out keep their value."""

    title = fields.String(validate=validate.Length(min=2, max=120))
    optin_deadline = fields.DateTime(metadata=_LOCAL)
    apply_to_series = fields.Boolean(
        load_default=False,
        metadata={"description": "Also apply to every later open meetup of the series."},
    )


class EditOutcomeSchema(_Out):
    meetup = _out(fields.Nested(MeetupSchema))
    edited_meetup_ids = _out(fields.List(fields.Integer()))
    skipped_meetup_ids = _out(fields.List(fields.Integer()))
    emails_queued = _out(fields.Integer())
    members_not_told = _out(fields.Integer())


# -- opt-ins and groups ------------------------------------------------------------------


class OptInSchema(_Out):
    member_id = _out(fields.Integer())
    first_name = _out(fields.String())
    opted_in_at = _out(Utc())
    note = _out(fields.String())
    slot_ids = _out(
        fields.List(
            fields.Integer(),
            allow_none=True,
            metadata={"description": "Slots the member can make; null: their weekly grid."},
        )
    )


class OptInListSchema(_Out):
    optins = _out(fields.List(fields.Nested(OptInSchema)))


class GroupMemberSchema(_Out):
    member_id = _out(fields.Integer())
    first_name = _out(fields.String())
    rsvp = _out(fields.Enum(Rsvp, by_value=True))


class GroupSchema(_Out):
    id = _out(fields.Integer())
    number = _out(fields.Integer())
    slot_id = _out(fields.Integer())
    starts_at = _out(Utc())
    venue = _out(fields.String())
    shared = _out(fields.String(metadata={"description": "What the group has in common."}))
    members = _out(fields.List(fields.Nested(GroupMemberSchema)))


class GroupListSchema(_Out):
    meetup_id = _out(fields.Integer())
    groups = _out(fields.List(fields.Nested(GroupSchema)))


# -- metrics and exports -----------------------------------------------------------------


class MeetupCountSchema(_Out):
    meetup_id = _out(fields.Integer())
    title = _out(fields.String())
    status = _out(fields.Enum(MeetupStatus, by_value=True))
    opted_in = _out(fields.Integer())
    matched = _out(fields.Integer())
    emails_sent = _out(fields.Integer())


class MetricsSchema(_Out):
    computed_at = _out(fields.String(metadata={"description": "When the figures were computed."}))
    member_count = _out(fields.Integer())
    member_total = _out(fields.Integer())
    active_30d = _out(fields.Integer())
    failed_emails = _out(fields.Integer())
    meetups = _out(fields.List(fields.Nested(MeetupCountSchema)))


class RangeQuerySchema(Schema):
    """The dashboard's date range (inclusive); either end may be left out."""

    start = fields.Date()
    end = fields.Date()


_CELL = fields.Raw(metadata={"type": ["string", "number", "integer", "boolean"]}, allow_none=True)


class ExportSchema(_Out):
    name = _out(fields.String(validate=validate.OneOf(EXPORTS)))
    columns = _out(fields.List(fields.String()))
    rows = _out(
        fields.List(
            fields.Dict(keys=fields.String(), values=_CELL),
            metadata={"description": "One object per CSV row, keyed by column."},
        )
    )


# -- member ------------------------------------------------------------------------------


class CompanionSchema(_Out):
    first_name = _out(fields.String())
    rsvp = _out(fields.Enum(Rsvp, by_value=True))


class MyGroupSchema(_Out):
    id = _out(fields.Integer())
    meetup_id = _out(fields.Integer())
    meetup_title = _out(fields.String())
    community = _out(fields.String())
    community_slug = _out(fields.String())
    starts_at = _out(Utc())
    venue = _out(fields.String())
    address = _out(fields.String())
    my_rsvp = _out(fields.Enum(Rsvp, by_value=True))
    shared = _out(fields.String())
    companions = _out(fields.List(fields.Nested(CompanionSchema)))


class MyGroupListSchema(_Out):
    groups = _out(fields.List(fields.Nested(MyGroupSchema)))


class CalendarEventSchema(_Out):
    group_id = _out(fields.Integer())
    meetup_id = _out(fields.Integer())
    title = _out(fields.String())
    starts_at = _out(Utc())
    ends_at = _out(Utc())
    venue = _out(fields.String())
    address = _out(fields.String())


class CalendarSchema(_Out):
    feed_url = _out(fields.String(metadata={"description": "The member's private iCalendar feed."}))
    events = _out(fields.List(fields.Nested(CalendarEventSchema)))
