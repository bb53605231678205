"""How an API view declares itself: its request and response schemas, who may call it and
what it answers. The `operation` decorator validates the input with those schemas before
the view runs and serialises what it returns; `webapp/api/spec.py` reads the same
declaration to write the OpenAPI description, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, request
from marshmallow import EXCLUDE, Schema, ValidationError

from webapp.api.problems import INVALID_INPUT, ProblemError, field_errors

#: Who may call an endpoint: anyone, a member token, or an organizer token of the community.
PUBLIC, MEMBER, ORGANIZER = "public", "member", "organizer"


@dataclass(frozen=True)
class Operation:
    """One endpoint's contract."""

    summary: str
    auth: str
    response: type[Schema] | None
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    status: int = 200
    #: Error statuses this endpoint documents beyond those every endpoint may answer.
    errors: tuple[int, ...] = field(default_factory=tuple)
    description: str = ""


def invalid(messages: Any, detail: str = "Some fields are not valid.") -> ProblemError:
    """A 422 problem listing each field's errors."""
    return ProblemError(
        422, detail, type_=INVALID_INPUT, title="Invalid input", errors=field_errors(messages)
    )


def json_body(schema: type[Schema]) -> dict[str, Any]:
    """The request's JSON body, loaded and checked: 415 unless it is sent as JSON, 400 when
    it does not parse, 422 with per-field errors when it breaks the schema."""
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise ProblemError(415, headers={"Accept-Post": "application/json"})
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as error:
        raise ProblemError(400, f"The body is not valid JSON: {error}.") from None
    try:
        return schema().load(data)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise invalid(error.messages) from None


def query_args(schema: type[Schema]) -> dict[str, Any]:
    """The query string, loaded and checked (unknown parameters are ignored)."""
    try:
        return schema(unknown=EXCLUDE).load(request.args.to_dict())  # type: ignore[no-any-return]
    except ValidationError as error:
        raise invalid(error.messages, "Some query parameters are not valid.") from None


def check_access(auth: str, arguments: dict[str, Any]) -> None:
    """The token may use this endpoint for the community and meetup in the address: 403 for
    the wrong kind of token, 404 for another community's (see webapp/api/auth.py)."""
    from webapp.api.auth import meetup_of, organizer_community, token_member

    if auth == ORGANIZER:
        community, _ = organizer_community(arguments["slug"])
        if "meetup_id" in arguments:
            meetup_of(community, arguments["meetup_id"])
    elif auth == MEMBER:
        token_member()


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def operation(
    summary: str,
    *,
    auth: str,
    response: type[Schema] | None,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    description: str = "",
) -> Callable:  # type: ignore[type-arg]
    """Declare a view's contract: `body` and `query` are loaded into the keyword arguments
    of the same names; the view returns plain data, dumped with `response`."""
    contract = Operation(summary, auth, response, body, query, status, errors, description)

    def wrap(view: Callable) -> Callable:  # type: ignore[type-arg]
        @wraps(view)
        def run(**kwargs: Any) -> Response:
            check_access(auth, kwargs)  # before reading input: a stranger learns nothing
            if body is not None:
                kwargs["body"] = json_body(body)
            if query is not None:
                kwargs["query"] = query_args(query)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            dumped = response().dump(result) if response is not None else result
            return json_response(dumped, status)

        run.api_operation = contract  # type: ignore[attr-defined]
        return run

    return wrap
