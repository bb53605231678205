"""Forms for accounts: sign-up, log-in, password reset and account settings (CSRF-protected)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.members.forms import CleanForm


class SignUpForm(CleanForm):
    """A new member's email, name and password."""

    display_name = StringField(
        _l("What should we call you?"), validators=[DataRequired(), Length(max=80)]
    )
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password (at least 8 characters)"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class LoginForm(CleanForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Remember me on this device"))


class ForgotForm(CleanForm):
    """The address to send a reset link to."""

    email = EmailField(_l("Your email"), validators=[DataRequired(), Length(max=254)])


class ResetForm(CleanForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password (at least 8 characters)"),
        validators=[DataRequired(), Length(min=8, max=128)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(CleanForm):
    """Current and new password."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=128)]
    )
    new_password = PasswordField(
        _l("New password (at least 8 characters)"),
        validators=[DataRequired(), Length(min=8, max=128)],
    )


class ChangeEmailForm(CleanForm):
    """The new address, confirmed by the current password."""

    new_email = EmailField(_l("New email"), validators=[DataRequired(), Length(max=254)])
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=128)]
    )


class DeleteAccountForm(CleanForm):
    """Deleting the account needs the password once more."""

    password = PasswordField(
        _l("Your password, to confirm"), validators=[DataRequired(), Length(max=128)]
    )
