"""Organizer forms: communities, meetups and series, reviewing groups, messages, exports."""

from flask_babel import lazy_gettext as _l
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

from webapp.i18n import language_choices
from webapp.members.forms import HearthForm
from webapp.services.matching import SMALL_GROUP_MAX

POLICY_CHOICES = [
    SelectChoice("balanced", _l("Balanced: keep part of a circle together and add new people")),
    SelectChoice("new_faces", _l("New faces: avoid people who met before")),
    SelectChoice("deepen", _l("Deepen: bring together people who both want to meet again")),
]
FREQUENCY_CHOICES = [
    SelectChoice("", _l("Just once")),
    SelectChoice("weekly", _l("Every week")),
    SelectChoice("fortnightly", _l("Every two weeks")),
    SelectChoice("monthly", _l("Every month")),
]


class EmptyForm(HearthForm):
    """Only the CSRF token, for one-button actions."""


class SlotForm(Form):
    """One slot: when and where; a row left blank is ignored."""

    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    capacity = IntegerField(
        _l("Seats"), default=30, validators=[Optional(), NumberRange(1, 10_000)]
    )
    accessibility = StringField(_l("Accessibility notes"), validators=[Optional(), Length(max=500)])
    lat = StringField(_l("Venue latitude"), validators=[Optional(), Length(max=20)])
    lon = StringField(_l("Venue longitude"), validators=[Optional(), Length(max=20)])


class MeetupForm(HearthForm):
    """Title, opt-in deadline, group sizes, policy and slots, in the community's time zone."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=2, max=120)])
    optin_deadline = DateTimeLocalField(
        _l("Opt-in deadline"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    group_min = IntegerField(
        _l("Smallest group"), default=3, validators=[DataRequired(), NumberRange(2, 12)]
    )
    group_max = IntegerField(
        _l("Largest group"),
        default=SMALL_GROUP_MAX,  # "first good meetup first" (services/matching.py)
        validators=[DataRequired(), NumberRange(2, 12)],
    )
    policy = SelectField(_l("Matching policy"), choices=POLICY_CHOICES, default="balanced")
    welcome_newcomers = BooleanField(
        _l("Welcome newcomers: place each first-timer with a regular who is rated well")
    )
    standby_enabled = BooleanField(_l("Let standby members fill seats freed by cancellations"))
    auto_publish = BooleanField(
        _l("Publish automatically at the deadline (otherwise you review the groups first)")
    )
    frequency = SelectField(_l("Repeat"), choices=FREQUENCY_CHOICES, default="")
    occurrences = IntegerField(
        _l("Number of meetups in the series"),
        default=4,
        validators=[Optional(), NumberRange(1, 26)],
    )
    slots = FieldList(FormField(SlotForm), min_entries=3, max_entries=3)


class EditSlotForm(SlotForm):
    """One slot row of the edit page: an existing slot (its id hidden) or a new one."""

    slot_id = HiddenField()
    remove = BooleanField(_l("Remove this slot"))


class EditMeetupForm(HearthForm):
    """The parts of one meetup (or one occurrence of a series) that stay editable: the
    settings while it is open, and its slots and venues until it is cancelled."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=2, max=120)])
    optin_deadline = DateTimeLocalField(
        _l("Opt-in deadline"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    group_min = IntegerField(_l("Smallest group"), validators=[DataRequired(), NumberRange(2, 12)])
    group_max = IntegerField(_l("Largest group"), validators=[DataRequired(), NumberRange(2, 12)])
    policy = SelectField(_l("Matching policy"), choices=POLICY_CHOICES)
    welcome_newcomers = BooleanField(
        _l("Welcome newcomers: place each first-timer with a regular who is rated well")
    )
    standby_enabled = BooleanField(_l("Let standby members fill seats freed by cancellations"))
    auto_publish = BooleanField(_l("Publish automatically at the deadline"))
    #: Up to `meetup_edits.MAX_SLOTS` slots plus the two blank rows for adding one.
    slots = FieldList(FormField(EditSlotForm), min_entries=0, max_entries=12)
    confirm_slot_removal = BooleanField(_l("Yes, remove slots although members opted in"))
    apply_to_series = BooleanField(
        _l("Apply these changes to this meetup and every later meetup of the series")
    )


class CommunitySettingsForm(HearthForm):
    """A community's name, description, city, time zone and interest tags."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    interest_tags = TextAreaField(
        _l("Interest tags, separated by commas (duplicates are merged)"),
        validators=[Length(max=4000)],
    )
    default_locale = SelectField(
        _l("Language of emails to members who chose none"),
        choices=language_choices(),
        default="en",
        validate_choice=False,  # checked by the service: an unknown one gets a clear message
    )


class AreaForm(HearthForm):
    """A named area of the community with its point (coordinates checked by the service)."""

    area_name = StringField(_l("Area name"), validators=[DataRequired(), Length(max=80)])
    area_lat = StringField(_l("Latitude"), validators=[Length(max=20)])
    area_lon = StringField(_l("Longitude"), validators=[Length(max=20)])


class MergeTagsForm(HearthForm):
    """Merge one interest tag into another (e.g. "boardgames" into "board games")."""

    source = StringField(_l("Merge this tag"), validators=[DataRequired(), Length(max=60)])
    target = StringField(_l("into this tag"), validators=[DataRequired(), Length(max=60)])


class CoOrganizerForm(HearthForm):
    """Make a member of the community a co-organizer, by their email address."""

    email = StringField(_l("Member's email address"), validators=[DataRequired(), Length(max=254)])


class MoveMemberForm(HearthForm):
    """Move one member of the preview into another group."""

    member_id = SelectField(_l("Member"), coerce=int)
    group_id = SelectField(_l("Into group"), coerce=int)


class MessageForm(HearthForm):
    """A message to every opted-in member of a meetup, or to one group."""

    audience = SelectField(_l("To"), coerce=str)
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class RangeForm(HearthForm):
    """The dashboard's date range (a GET form: no CSRF needed for reading)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    include_emails = BooleanField(_l("Include email addresses (this is logged)"))
