"""Organizer forms: communities, meetups and series, reviewing groups, messages, exports."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.members.forms import HearthForm
from webapp.services.matching import SMALL_GROUP_MAX

POLICY_CHOICES = [
    SelectChoice("balanced", "Balanced: keep part of a circle together and add new people"),
    SelectChoice("new_faces", "New faces: avoid people who met before"),
    SelectChoice("deepen", "Deepen: bring together people who both want to meet again"),
]
FREQUENCY_CHOICES = [
    SelectChoice("", "Just once"),
    SelectChoice("weekly", "Every week"),
    SelectChoice("fortnightly", "Every two weeks"),
    SelectChoice("monthly", "Every month"),
]


class EmptyForm(HearthForm):
    """Only the CSRF token, for one-button actions."""


class SlotForm(Form):
    """One slot: when and where; a row left blank is ignored."""

    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    venue_name = StringField("Venue", validators=[Optional(), Length(max=120)])
    address = StringField("Address", validators=[Optional(), Length(max=255)])
    capacity = IntegerField("Seats", default=30, validators=[Optional(), NumberRange(1, 10_000)])
    accessibility = StringField("Accessibility notes", validators=[Optional(), Length(max=500)])
    lat = StringField("Venue latitude", validators=[Optional(), Length(max=20)])
    lon = StringField("Venue longitude", validators=[Optional(), Length(max=20)])


class MeetupForm(HearthForm):
    """Title, opt-in deadline, group sizes, policy and slots, in the community's time zone."""

    title = StringField("Title", validators=[DataRequired(), Length(min=2, max=120)])
    optin_deadline = DateTimeLocalField(
        "Opt-in deadline", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    group_min = IntegerField(
        "Smallest group", default=3, validators=[DataRequired(), NumberRange(2, 12)]
    )
    group_max = IntegerField(
        "Largest group",
        default=SMALL_GROUP_MAX,  # "first good meetup first" (services/matching.py)
        validators=[DataRequired(), NumberRange(2, 12)],
    )
    policy = SelectField("Matching policy", choices=POLICY_CHOICES, default="balanced")
    welcome_newcomers = BooleanField(
        "Welcome newcomers: place each first-timer with a regular who is rated well"
    )
    standby_enabled = BooleanField("Let standby members fill seats freed by cancellations")
    auto_publish = BooleanField(
        "Publish automatically at the deadline (otherwise you review the groups first)"
    )
    frequency = SelectField("Repeat", choices=FREQUENCY_CHOICES, default="")
    occurrences = IntegerField(
        "Number of meetups in the series", default=4, validators=[Optional(), NumberRange(1, 26)]
    )
    slots = FieldList(FormField(SlotForm), min_entries=3, max_entries=3)


class EditSlotForm(SlotForm):
    """One slot row of the edit page: an existing slot (its id hidden) or a new one."""

    slot_id = HiddenField()
    remove = BooleanField("Remove this slot")


class EditMeetupForm(HearthForm):
    """The parts of one meetup (or one occurrence of a series) that stay editable: the
    settings while it is open, and its slots and venues until it is cancelled."""

    title = StringField("Title", validators=[DataRequired(), Length(min=2, max=120)])
    optin_deadline = DateTimeLocalField(
        "Opt-in deadline", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    group_min = IntegerField("Smallest group", validators=[DataRequired(), NumberRange(2, 12)])
    group_max = IntegerField("Largest group", validators=[DataRequired(), NumberRange(2, 12)])
    policy = SelectField("Matching policy", choices=POLICY_CHOICES)
    welcome_newcomers = BooleanField(
        "Welcome newcomers: place each first-timer with a regular who is rated well"
    )
    standby_enabled = BooleanField("Let standby members fill seats freed by cancellations")
    auto_publish = BooleanField("Publish automatically at the deadline")
    #: Up to `meetup_edits.MAX_SLOTS` slots plus the two blank rows for adding one.
    slots = FieldList(FormField(EditSlotForm), min_entries=0, max_entries=12)
    confirm_slot_removal = BooleanField("Yes, remove slots although members opted in")
    apply_to_series = BooleanField(
        "Apply these changes to this meetup and every later meetup of the series"
    )


class CommunitySettingsForm(HearthForm):
    """A community's name, description, city, time zone and interest tags."""

    name = StringField("Name", validators=[DataRequired(), Length(min=2, max=120)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    city = StringField("City", validators=[Length(max=120)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    interest_tags = TextAreaField(
        "Interest tags, separated by commas (duplicates are merged)",
        validators=[Length(max=4000)],
    )


class AreaForm(HearthForm):
    """A named area of the community with its point (coordinates checked by the service)."""

    area_name = StringField("Area name", validators=[DataRequired(), Length(max=80)])
    area_lat = StringField("Latitude", validators=[Length(max=20)])
    area_lon = StringField("Longitude", validators=[Length(max=20)])


class MergeTagsForm(HearthForm):
    """Merge one interest tag into another (e.g. "boardgames" into "board games")."""

    source = StringField("Merge this tag", validators=[DataRequired(), Length(max=60)])
    target = StringField("into this tag", validators=[DataRequired(), Length(max=60)])


class CoOrganizerForm(HearthForm):
    """Make a member of the community a co-organizer, by their email address."""

    email = StringField("Member's email address", validators=[DataRequired(), Length(max=254)])


class MoveMemberForm(HearthForm):
    """Move one member of the preview into another group."""

    member_id = SelectField("Member", coerce=int)
    group_id = SelectField("Into group", coerce=int)


class MessageForm(HearthForm):
    """A message to every opted-in member of a meetup, or to one group."""

    audience = SelectField("To", coerce=str)
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=5000)])


class RangeForm(HearthForm):
    """The dashboard's date range (a GET form: no CSRF needed for reading)."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    include_emails = BooleanField("Include email addresses (this is logged)")
