"""The OpenAPI 3.1 description, written by apispec from the routes and their `operation`
declarations (webapp/api/operations.py) and served at /api/v1/openapi.json."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from webapp.api.auth import MAX_ID
from webapp.api.operations import MEMBER, ORGANIZER, PUBLIC, Operation
from webapp.api.problems import MEDIA_TYPE
from webapp.api.schemas import ProblemSchema, Utc
from webapp.services.dashboard_export import EXPORTS

OPENAPI_VERSION = "3.1.0"
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
#: Path parameters whose values are a closed list.
ENUMS = {"name": list(EXPORTS)}
#: Errors any endpoint of a kind may answer (its own add to these).
COMMON_ERRORS = {
    PUBLIC: (404, 405, 429, 500),
    MEMBER: (401, 403, 404, 405, 429, 500),
    ORGANIZER: (401, 403, 404, 405, 429, 500),
}
WITH_BODY = (400, 415, 422)

DESCRIPTION = """\
Hearth's JSON API. Every endpoint but this description needs a token:
`Authorization: Bearer <token>`.

- **Organizer tokens** are made and revoked on a community's settings page; they act for
  that community only, as the organizer who made them (their changes are in the audit log
  under that name). Any other community's address answers 404.
- **Member tokens** are made on the account page; they read the member's own groups and
  calendar, and answer 403 on organizer endpoints.

Every error is an RFC 9457 problem document (`application/problem+json`); input errors list
each field in `errors`. Requests are rate-limited per token (429 with Retry-After).
"""


def _path(rule: str) -> str:
    return _PARAMETER.sub(lambda m: "{" + m.group(2) + "}", rule)


def _parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for converter, name in _PARAMETER.findall(rule):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string"}
        )
        if name in ENUMS:
            schema["enum"] = ENUMS[name]
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _operation(contract: Operation, rule: str, endpoint: str) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    success: dict[str, Any] = {"description": HTTPStatus(contract.status).phrase}
    if contract.response is not None:
        success["content"] = {"application/json": {"schema": contract.response}}
    responses[str(contract.status)] = success
    errors = set(COMMON_ERRORS[contract.auth]) | set(contract.errors)
    if contract.body is not None:
        errors |= set(WITH_BODY)
    if contract.query is not None:
        errors.add(422)
    for status in sorted(errors):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    op: dict[str, Any] = {
        "operationId": endpoint.removeprefix("api."),
        "summary": contract.summary,
        "tags": [contract.auth],
        "responses": responses,
    }
    if contract.description:
        op["description"] = contract.description
    parameters = _parameters(rule)
    if contract.query is not None:
        parameters.append({"in": "query", "schema": contract.query})
    if parameters:
        op["parameters"] = parameters
    if contract.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": contract.body}},
        }
    op["security"] = [] if contract.auth == PUBLIC else [{"token": []}]
    return op


def build(app: Flask) -> dict[str, Any]:
    """The description of every API route of the app."""
    marshmallow = MarshmallowPlugin()
    spec = APISpec(
        title="Hearth API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        plugins=[marshmallow],
        info={"description": DESCRIPTION},
        servers=[{"url": "/api/v1"}],
    )
    marshmallow.map_to_openapi_type(Utc, "string", "date-time")
    spec.components.security_scheme(
        "token",
        {"type": "http", "scheme": "bearer", "description": "An organizer or member token."},
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    for status in (400, 401, 403, 404, 405, 409, 415, 422, 429, 500):
        spec.components.response(
            f"Problem{status}",
            {
                "description": HTTPStatus(status).phrase,
                "content": {MEDIA_TYPE: {"schema": "Problem"}},
            },
        )
    paths: dict[str, dict[str, Any]] = {}
    prefix = "/api/v1"
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        contract = getattr(app.view_functions.get(rule.endpoint), "api_operation", None)
        if contract is None or not rule.rule.startswith(prefix):
            continue
        path = _path(rule.rule.removeprefix(prefix))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                contract, rule.rule, rule.endpoint
            )
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
