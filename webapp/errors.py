"""Error pages: a clear message for the person, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("Something in that request was not right. Please go back and try again."),
    403: _l("That page belongs to someone else."),
    404: _l("We could not find that page."),
    405: _l("That action is not available here."),
    413: _l("That was more than we can accept in one go."),
    429: _l("Too many attempts in a short time. Please wait a few minutes and try again."),
    503: _l("Hearth is very busy right now. Please try again in a few seconds."),
}
#: Retry-After (seconds) when every database connection is busy and a request is shed.
BUSY_RETRY_AFTER = 2


def busy_page() -> tuple[str, int, dict[str, str]]:
    """The 503 for a shed request: drawn for a visitor, since loading the member would need
    the database the request is being kept away from."""
    from webapp.extensions import login_manager

    g._login_user = login_manager.anonymous_user()
    page = render_template("error.html", code=503, message=MESSAGES[503])
    return page, 503, {"Retry-After": str(BUSY_RETRY_AFTER)}


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and unexpected exception as a friendly page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = gettext(
            "Your form expired or came from another site. Please reload the page and try again."
        )
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        message = MESSAGES.get(code) or error.description or gettext("Something went wrong.")
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(PoolTimeoutError)
    def busy(error: PoolTimeoutError) -> tuple[str, int, dict[str, str]]:
        """No database connection within DB_POOL_TIMEOUT: shed the request with a 503."""
        log.warning("request shed: no database connection free (%s)", error)
        from webapp.extensions import db

        db.session.rollback()
        return busy_page()

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error")
        from webapp.extensions import db

        db.session.rollback()
        message = gettext(
            "Something went wrong on our side. Nothing you entered was saved; please try again."
        )
        return render_template("error.html", code=500, message=message), 500
