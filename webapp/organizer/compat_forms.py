"""The organizer's switch for learned compatibility (issue 15)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from webapp.members.forms import HearthForm


class OnOffField(RadioField):
    """Two radio buttons, "on" and "off"; anything else is refused with a plain message."""

    def pre_validate(self, form) -> None:  # type: ignore[no-untyped-def]
        if self.data not in ("on", "off"):
            raise ValidationError(_l("Choose on or off."))


class CompatSettingForm(HearthForm):
    """Use the community's learned compatibility in matching (when it is adopted), or not."""

    use_learned = OnOffField(
        _l("Use learned compatibility in matching"),
        choices=[
            SelectChoice("on", _l("On: use it whenever it beats the plain weight")),
            SelectChoice("off", _l("Off: always use the plain weight")),
        ],
        validators=[InputRequired(message=_l("Choose on or off."))],
    )
