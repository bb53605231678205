"""Problem documents (RFC 9457) for every error under /api/: never an HTML page, never a
bare 500.

Each answer is `application/problem+json` with `type`, `title`, `status` and `detail`;
input errors add `errors`, one entry per field (`field`, a JSON `pointer` into the request
body or the query parameter's name, and `detail`). HTTP errors without a more specific type
use `about:blank`, as the RFC recommends, with the status phrase as title.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from webapp.errors import BUSY_RETRY_AFTER

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
#: Problem types beyond plain HTTP errors (URNs: stable names, nothing to fetch).
INVALID_INPUT = "urn:hearth:problem:invalid-input"
REFUSED = "urn:hearth:problem:refused"
INVALID_TOKEN = "urn:hearth:problem:invalid-token"
DETAILS = {
    400: "The request could not be read.",
    401: "A valid API token is required.",
    403: "This token may not use this endpoint.",
    404: "There is nothing at this address for this token.",
    405: "This method is not available on this endpoint.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    429: "Too many requests for this token; wait before trying again.",
    500: "Something went wrong on our side; nothing was saved.",
    503: "Hearth is very busy right now; try again in a few seconds.",
}


class ProblemError(Exception):
    """Raised by API views and helpers; rendered as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        type_: str = "about:blank",
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or DETAILS.get(status, ""))
        self.status = status
        self.detail = detail or DETAILS.get(status, HTTPStatus(status).phrase)
        self.type = type_
        self.title = title or HTTPStatus(status).phrase
        self.errors = errors
        self.headers = dict(headers or {})


def problem_response(error: ProblemError) -> Response:
    """The problem document for an ProblemError."""
    body: dict[str, Any] = {
        "type": error.type,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": request.path,
    }
    if error.errors is not None:
        body["errors"] = error.errors
    response = Response(json.dumps(body), status=error.status, mimetype=MEDIA_TYPE)
    response.headers.update(error.headers)
    return response


def field_errors(messages: Any, path: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Marshmallow's nested error messages as a flat list, one entry per message."""
    found: list[dict[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            found += field_errors(value, (*path, str(key)))
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            for message in messages:
                found.append(_entry(path, message))
        else:
            for value in messages:
                found += field_errors(value, path)
    else:
        found.append(_entry(path, str(messages)))
    return found


def _entry(path: tuple[str, ...], message: str) -> dict[str, str]:
    names = [p for p in path if p != "_schema"]
    return {
        "field": ".".join(names),
        "pointer": "/" + "/".join(n.replace("~", "~0").replace("/", "~1") for n in names),
        "detail": message,
    }


def from_http_exception(error: HTTPException) -> ProblemError:
    """An ProblemError for a werkzeug HTTP error, keeping headers such as Allow and
    Retry-After."""
    status = error.code or 500
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    detail = DETAILS.get(status) or HTTPStatus(status).phrase
    return ProblemError(status, detail, headers=headers)


def is_api_request() -> bool:
    """True for requests under /api/ (matched routes or not)."""
    return request.path == "/api" or request.path.startswith("/api/")


def register_handlers(blueprint: Any) -> None:
    """Problem documents for every error raised in the API's requests (once per import)."""

    @blueprint.errorhandler(ProblemError)
    def api_problem(error: ProblemError) -> Response:
        return problem_response(error)

    @blueprint.errorhandler(CSRFError)
    def csrf_problem(error: CSRFError) -> Response:  # the blueprint is exempt: a backstop
        return problem_response(ProblemError(400))

    @blueprint.errorhandler(HTTPException)
    def http_problem(error: HTTPException) -> Response:
        return problem_response(from_http_exception(error))

    @blueprint.errorhandler(PoolTimeoutError)
    def busy_problem(error: PoolTimeoutError) -> Response:
        from webapp.extensions import db

        log.warning("API request shed: no database connection free (%s)", error)
        db.session.rollback()
        retry = {"Retry-After": str(BUSY_RETRY_AFTER)}
        return problem_response(ProblemError(503, headers=retry))

    @blueprint.errorhandler(Exception)
    def unexpected_problem(error: Exception) -> Response:
        from webapp.extensions import db

        log.exception("unhandled error in the API")
        db.session.rollback()
        return problem_response(ProblemError(500))


def register_routing_handler(app: Flask) -> None:
    """Problem documents for routing errors under /api/ (unknown paths, wrong methods),
    which Flask hands to the app's handlers; pages keep their own handler."""
    pages_handler = app.error_handler_spec[None][None].get(HTTPException)

    def routing_problem(error: HTTPException):  # type: ignore[no-untyped-def]
        if is_api_request():
            return problem_response(from_http_exception(error))
        return pages_handler(error) if pages_handler else error

    app.register_error_handler(HTTPException, routing_problem)
