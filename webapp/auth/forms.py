"""Forms for accounts: sign-up, log-in, password reset and account settings (CSRF-protected)."""

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.members.forms import CleanForm


class SignUpForm(CleanForm):
    """A new member's email, name and password."""

    display_name = StringField(
        "What should we call you?", validators=[DataRequired(), Length(max=80)]
    )
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password (at least 8 characters)", validators=[DataRequired(), Length(min=8, max=128)]
    )


class LoginForm(CleanForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Remember me on this device")


class ForgotForm(CleanForm):
    """The address to send a reset link to."""

    email = EmailField("Your email", validators=[DataRequired(), Length(max=254)])


class ResetForm(CleanForm):
    """A new password, typed twice."""

    password = PasswordField(
        "New password (at least 8 characters)",
        validators=[DataRequired(), Length(min=8, max=128)],
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(CleanForm):
    """Current and new password."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=128)]
    )
    new_password = PasswordField(
        "New password (at least 8 characters)",
        validators=[DataRequired(), Length(min=8, max=128)],
    )


class ChangeEmailForm(CleanForm):
    """The new address, confirmed by the current password."""

    new_email = EmailField("New email", validators=[DataRequired(), Length(max=254)])
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=128)]
    )


class DeleteAccountForm(CleanForm):
    """Deleting the account needs the password once more."""

    password = PasswordField(
        "Your password, to confirm", validators=[DataRequired(), Length(max=128)]
    )
