"""The page forms that make and revoke API tokens (organizer settings, account page)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from webapp.members.forms import CleanForm


class ApiTokenForm(CleanForm):
    """Name a new token; it is shown once, on the page this form's answer draws."""

    token_name = StringField(
        _l("Token name"), validators=[DataRequired(_l("Please name the token.")), Length(max=80)]
    )


class RevokeApiTokenForm(CleanForm):
    """Revoke one token (by id; the view checks it belongs to the community)."""

    token_id = HiddenField(validators=[DataRequired()])
