"""The form for scheduling a meetup with up to three slots."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FieldList, Form, FormField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class SlotForm(Form):
    """One slot: when and where; a row left blank is ignored."""

    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    venue_name = StringField("Venue", validators=[Optional(), Length(max=120)])
    address = StringField("Address", validators=[Optional(), Length(max=255)])
    capacity = IntegerField("Seats", default=30, validators=[Optional(), NumberRange(1, 10_000)])


class MeetupForm(FlaskForm):
    """Title, opt-in deadline, group size range and slots, in the community's time zone."""

    title = StringField("Title", validators=[DataRequired(), Length(min=2, max=120)])
    optin_deadline = DateTimeLocalField(
        "Opt-in deadline", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    group_min = IntegerField(
        "Smallest group", default=3, validators=[DataRequired(), NumberRange(2, 12)]
    )
    group_max = IntegerField(
        "Largest group", default=6, validators=[DataRequired(), NumberRange(2, 12)]
    )
    slots = FieldList(FormField(SlotForm), min_entries=3, max_entries=3)
