"""Forms for signing up and logging in (CSRF-protected by Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignUpForm(FlaskForm):
    """A new member's email, name and password."""

    display_name = StringField(
        "What should we call you?", validators=[DataRequired(), Length(max=80)]
    )
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password (at least 8 characters)", validators=[DataRequired(), Length(min=8, max=128)]
    )


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Remember me")
