"""Error pages: a clear message for the person, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Something in that request was not right. Please go back and try again.",
    403: "That page belongs to someone else.",
    404: "We could not find that page.",
    405: "That action is not available here.",
    413: "That was more than we can accept in one go.",
    429: "Too many attempts in a short time. Please wait a few minutes and try again.",
}


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and unexpected exception as a friendly page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = (
            "Your form expired or came from another site. Please reload the page and try again."
        )
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        message = MESSAGES.get(code, error.description or "Something went wrong.")
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error")
        from webapp.extensions import db

        db.session.rollback()
        message = (
            "Something went wrong on our side. Nothing you entered was saved; please try again."
        )
        return render_template("error.html", code=500, message=message), 500
