"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from webapp.models import PARTS_OF_DAY
from webapp.services.groups import shared_phrase
from webapp.timeutil import to_local

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def register_template_helpers(app: Flask) -> None:
    """Add the `local` and `and_list` filters and the weekday/part names used by the
    availability grid."""

    @app.template_filter("local")
    def local(value: datetime, timezone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
        return to_local(value, timezone).strftime(fmt)

    #: "a, b and c": the engine's whole `why` list (tags, then shared about-text topics).
    app.template_filter("and_list")(shared_phrase)
    app.jinja_env.globals.update(WEEKDAYS=WEEKDAYS, PARTS_OF_DAY=list(PARTS_OF_DAY))
