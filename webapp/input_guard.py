"""Reject NUL bytes and over-long fields with a 400 before any view sees them (issue 8).

PostgreSQL refuses NUL characters in text, and a multi-megabyte "name" is never legitimate:
without this guard either would surface as a 500 deep inside a service. Form validators still
give a field-level message for ordinary over-long input (their limits are far below
`MAX_FIELD_LENGTH`); this is the backstop for everything else, query strings included.
`MAX_CONTENT_LENGTH` (config) caps the whole body with a 413.
"""

from __future__ import annotations

import logging

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict

log = logging.getLogger(__name__)

DEFAULT_MAX_FIELD_LENGTH = 20_000


def offending_value(values: MultiDict[str, str], limit: int) -> str | None:
    """Why the first bad key or value is bad, or None when all are acceptable."""
    for key, value in values.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return "NUL byte"
        if len(key) > 200 or len(value) > limit:
            return "over-long field"
    return None


def init_app(app: Flask) -> None:
    """Check query string and form fields on every request."""
    app.config.setdefault("MAX_FIELD_LENGTH", DEFAULT_MAX_FIELD_LENGTH)

    @app.before_request
    def refuse_nul_and_overlong_fields() -> None:
        limit = int(app.config["MAX_FIELD_LENGTH"])
        if "\x00" in request.path:
            abort(400)
        for source in (request.args, request.form if request.method == "POST" else None):
            reason = offending_value(source, limit) if source is not None else None
            if reason:
                log.info("refused request to %s: %s", request.path, reason)
                abort(400)
