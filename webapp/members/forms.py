"""Forms for a member's profile and for creating a community."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ProfileForm(FlaskForm):
    """Name, about text and interests; the availability grid is read from the raw form."""

    display_name = StringField(
        "Your name as others see it", validators=[DataRequired(), Length(max=80)]
    )
    interests = StringField("Interests, separated by commas", validators=[Length(max=1500)])
    about = TextAreaField("What would you love to talk about?", validators=[Length(max=1000)])


class CommunityForm(FlaskForm):
    """A new community's name, description and time zone."""

    name = StringField("Name", validators=[DataRequired(), Length(min=2, max=120)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    timezone = StringField("Time zone", default="UTC", validators=[DataRequired(), Length(max=64)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for one-button actions."""
