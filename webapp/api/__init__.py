"""The JSON API (issue 17) under /api/v1, described by OpenAPI 3.1 at /api/v1/openapi.json.

Bearer tokens only (webapp/api/auth.py): no session cookie is read, so the blueprint is
exempt from CSRF (a cross-site form cannot send an Authorization header). Every error is a
problem document (webapp/api/problems.py). Requests are rate-limited per token.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response, current_app, request
from limits import parse_many

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Requests per token (or, without one, per client address) across the whole API.
DEFAULT_LIMIT = "300/minute;5000/hour"

from webapp.api.auth import authenticate, presented_token  # noqa: E402
from webapp.api.operations import PUBLIC, json_response, operation  # noqa: E402
from webapp.api.problems import (  # noqa: E402
    ProblemError,
    problem_response,
    register_handlers,
    register_routing_handler,
)
from webapp.services.api_tokens import digest  # noqa: E402

register_handlers(bp)


@bp.get("/openapi.json")
@operation("This description (OpenAPI 3.1)", auth=PUBLIC, response=None)
def openapi() -> Response:
    from webapp.api import spec

    document = current_app.extensions.get("hearth_openapi")
    if document is None:
        document = current_app.extensions["hearth_openapi"] = spec.build(current_app)
    return json_response(document)


@bp.before_request
def require_token() -> None:
    """Authenticate every request but the description's."""
    view = current_app.view_functions.get(request.endpoint or "")
    contract = getattr(view, "api_operation", None)
    if contract is not None and contract.auth != PUBLIC:
        authenticate()


@bp.after_request
def problem_for_shed_requests(response: Response) -> Response:
    """A request shed before routing (load_shedding: an HTML 503) becomes a problem too."""
    if response.status_code == 503 and response.mimetype == "text/html":
        shed = problem_response(ProblemError(503))
        shed.headers["Retry-After"] = response.headers.get("Retry-After", "2")
        return shed
    return response


def rate_key() -> str:
    """The bucket a request counts in: its token (hashed) or, without one, its address."""
    token = presented_token()
    return "api-token:" + digest(token) if token else "api-ip:" + (request.remote_addr or "")


def init_app(app: Flask) -> None:
    """Register the blueprint, CSRF-exempt and rate-limited (after rate_limits.init_app)."""
    from webapp.api import member_routes, organizer_routes  # noqa: F401  (the routes)
    from webapp.extensions import csrf

    value = (os.environ.get("RATELIMIT_API") or "").strip()
    app.config.setdefault("RATELIMIT_API", value or DEFAULT_LIMIT)
    parse_many(app.config["RATELIMIT_API"])  # a typo stops start-up here
    csrf.exempt(bp)
    limiter = app.extensions["hearth_limiter"]
    limiter.limit(app.config["RATELIMIT_API"], key_func=rate_key)(bp)
    app.register_blueprint(bp)
    register_routing_handler(app)
