"""Forms for a member's profile and for creating a community."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.i18n import language_choices
from webapp.services.profiles import GROUP_SIZES, TRAVEL_CHOICES


def _without_nul(value: object) -> object:
    """Drop NUL characters, which no one types and PostgreSQL cannot store."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class HearthForm(FlaskForm):
    """A CSRF-protected form whose hidden CSRF input has no id: pages with several forms
    would otherwise repeat `id="csrf_token"`, which HTML forbids."""

    class Meta:
        def render_field(self, field, render_kw):  # type: ignore[no-untyped-def]
            if field.type == "CSRFTokenField":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class CleanForm(HearthForm):
    """A HearthForm whose text fields never carry NUL characters."""

    class Meta:
        def bind_field(self, form, unbound_field, options):  # type: ignore[no-untyped-def]
            filters = [*unbound_field.kwargs.get("filters", ()), _without_nul]
            return unbound_field.bind(form=form, filters=filters, **options)


class ProfileForm(CleanForm):
    """The whole profile; the tag checkboxes and the availability grid are read raw."""

    display_name = StringField(
        _l("Your name as others see it"), validators=[DataRequired(), Length(max=80)]
    )
    interests = StringField(_l("Interests, separated by commas"), validators=[Length(max=1500)])
    about = TextAreaField(_l("What would you love to talk about?"), validators=[Length(max=1000)])
    area = StringField(_l("Neighbourhood or postcode area"), validators=[Length(max=80)])
    home_area = SelectField(
        _l("Which area of your community do you live in?"),
        choices=[SelectChoice("", _l("Not said"))],
        default="",
        validate_choice=False,  # checked by the service: an unknown area gets a clear message
    )
    home_lat = StringField(_l("Or your home's latitude"), validators=[Length(max=20)])
    home_lon = StringField(_l("and longitude"), validators=[Length(max=20)])
    travel_km = SelectField(
        _l("How far will you travel?"),
        choices=[SelectChoice("", _l("Not sure"))]
        + [SelectChoice(str(km), _l("Up to %(km)s km", km=km)) for km in TRAVEL_CHOICES],
        default="",
        validate_choice=False,  # checked by the service; a missing value means "not said"
    )
    preferred_group_size = SelectField(
        _l("Preferred group size"),
        choices=[SelectChoice("", _l("No preference"))]
        + [SelectChoice(str(n), _l("%(count)s people", count=n)) for n in GROUP_SIZES],
        default="",
        validate_choice=False,  # checked by the service; a missing value means "not said"
    )
    no_groups_of_two = BooleanField(_l("Never put me in a group of two"))
    locale = SelectField(
        _l("Language"),
        choices=language_choices(blank=_l("Not chosen (follow my browser)")),
        default="",
        validate_choice=False,  # checked by the service: an unknown one gets a clear message
    )
    languages = StringField(
        _l("Languages you speak, separated by commas"), validators=[Length(max=400)]
    )
    diet = StringField(_l("Diet needs (only organizers see this)"), validators=[Length(max=300)])
    accessibility_needs = StringField(
        _l("Accessibility needs (only organizers see this)"), validators=[Length(max=300)]
    )


ANSWERS = [
    SelectChoice("1", _l("Hardly ever")),
    SelectChoice("2", _l("Some of the time")),
    SelectChoice("3", _l("Often")),
]


class CheckinForm(CleanForm):
    """The three UCLA-3-style questions, each answered 1 to 3."""

    lack_companionship = RadioField(
        _l("How often do you feel that you lack companionship?"),
        choices=ANSWERS,
        validators=[InputRequired(message=_l("Please choose an answer."))],
    )
    left_out = RadioField(
        _l("How often do you feel left out?"),
        choices=ANSWERS,
        validators=[InputRequired(message=_l("Please choose an answer."))],
    )
    isolated = RadioField(
        _l("How often do you feel isolated from others?"),
        choices=ANSWERS,
        validators=[InputRequired(message=_l("Please choose an answer."))],
    )


class PauseForm(CleanForm):
    """How many weeks to pause matching for."""

    weeks = SelectField(
        _l("Pause for"),
        choices=[
            SelectChoice(str(n), _l("1 week") if n == 1 else _l("%(count)s weeks", count=n))
            for n in (1, 2, 4, 8)
        ],
        default="2",
    )


class CommunityForm(CleanForm):
    """A new community's name, description and time zone."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    timezone = StringField(
        _l("Time zone"), default="UTC", validators=[DataRequired(), Length(max=64)]
    )


class EmptyForm(CleanForm):
    """A form with only the CSRF token, for one-button actions."""


class FeedbackForm(CleanForm):
    """The meetup-level answers; the per-person choices are read raw (one per member)."""

    attended = RadioField(
        _l("Did you go?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Please say whether you went."))],
    )
    rating = RadioField(
        _l("How was it? (1 = not good, 5 = wonderful)"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validate_choice=False,
    )
    note = TextAreaField(_l("Anything else? (optional, private)"), validators=[Length(max=2000)])
    safety_report = TextAreaField(
        _l("Something the organizers should know about? (optional, only organizers see it)"),
        validators=[Length(max=2000)],
    )
