"""Template filters and globals shared by every page: times in the community's zone and
numbers written the way the reader's language writes them (Babel's CLDR data)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.i18n import DEFAULT_LOCALE, current_language
from webapp.models import PARTS_OF_DAY
from webapp.services.groups import shared_phrase

#: CLDR patterns per language for the few shapes pages and emails use. English keeps the
#: day-month order Hearth always wrote ("Sat 05 Dec 2026, 19:30").
PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "datetime": "EEE dd MMM y, HH:mm",
        "long": "EEEE dd MMMM y, HH:mm",
        "day_time": "EEEE dd MMMM, HH:mm",
        "short_day_time": "EEE dd MMM, HH:mm",
        "time": "HH:mm",
        "date": "dd MMM y",
        "date_long": "dd MMMM y",
    },
    "fr": {
        "datetime": "EEE d MMM y, HH:mm",
        "long": "EEEE d MMMM y 'à' HH:mm",
        "day_time": "EEEE d MMMM 'à' HH:mm",
        "short_day_time": "EEE d MMM, HH:mm",
        "time": "HH:mm",
        "date": "d MMM y",
        "date_long": "d MMMM y",
    },
    "es": {
        "datetime": "EEE d MMM y, H:mm",
        "long": "EEEE d 'de' MMMM 'de' y, H:mm",
        "day_time": "EEEE d 'de' MMMM, H:mm",
        "short_day_time": "EEE d MMM, H:mm",
        "time": "H:mm",
        "date": "d MMM y",
        "date_long": "d 'de' MMMM 'de' y",
    },
    "de": {
        "datetime": "EEE, d. MMM y, HH:mm",
        "long": "EEEE, d. MMMM y, HH:mm 'Uhr'",
        "day_time": "EEEE, d. MMMM, HH:mm 'Uhr'",
        "short_day_time": "EEE, d. MMM, HH:mm",
        "time": "HH:mm",
        "date": "d. MMM y",
        "date_long": "d. MMMM y",
    },
}

#: Monday to Sunday in English, as the English grid labels its days (pages use
#: `weekday_names()`, which speaks the reader's language).
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: Names of the parts of the day on the availability grid, in the reader's language.
PART_NAMES = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}


def format_when(value: datetime, shape: str = "datetime", timezone: str | None = None) -> str:
    """A time in the reader's language. Naive values are stored UTC; `timezone` moves the
    time into a community's zone, else an aware value keeps its own zone."""
    language = current_language()
    patterns = PATTERNS.get(language, PATTERNS[DEFAULT_LOCALE])
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    zone = ZoneInfo(timezone) if timezone else value.tzinfo
    return dates.format_datetime(value, patterns[shape], tzinfo=zone, locale=language)


def local(value: datetime, timezone: str, shape: str = "datetime") -> str:
    """A stored naive-UTC time in a community's zone, in the reader's language."""
    return format_when(value, shape, timezone)


def format_number(value: float | int, digits: int = 0) -> str:
    """A number with the reader's decimal separator and grouping."""
    locale = Locale.parse(current_language())
    pattern = numbers.parse_pattern(locale.decimal_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value, locale)


def format_share(value: float | None) -> str:
    """A share (0.25) as a whole percentage ("25 %" in French); a dash when unknown."""
    if value is None:
        return "–"
    return numbers.format_percent(value, locale=current_language())


def weekday_names() -> list[tuple[str, str]]:
    """Monday to Sunday as (full name, short name), capitalised, in the reader's language."""
    language = current_language()
    wide = dates.get_day_names("wide", locale=language)
    short = dates.get_day_names("abbreviated", locale=language)
    return [
        (wide[d][:1].upper() + wide[d][1:], short[d][:1].upper() + short[d][1:]) for d in range(7)
    ]


def register_template_helpers(app: Flask) -> None:
    """Add the `local`, `when`, `number`, `share` and `and_list` filters and the
    weekday/part names used by the availability grid."""
    app.template_filter("local")(local)
    app.template_filter("when")(format_when)
    app.template_filter("number")(format_number)
    app.template_filter("share")(format_share)
    #: "a, b and c": the engine's whole `why` list (tags, then shared about-text topics).
    app.template_filter("and_list")(shared_phrase)
    app.jinja_env.globals.update(
        weekday_names=weekday_names, PARTS_OF_DAY=list(PARTS_OF_DAY), PART_NAMES=PART_NAMES
    )
