"""Fixtures for the API tests: the organizer tests' two communities, a published meetup in
the first, and a token for each kind of caller; plus a check of answers against the
OpenAPI description the app serves."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

from tests.web.members.world import matched_group
from tests.web.organizer.conftest import World, make_meetup
from tests.web.organizer.conftest import world as organizer_world  # noqa: F401
from webapp.extensions import db
from webapp.models import Community, Member
from webapp.services import api_tokens


@dataclass
class ApiWorld:
    """Slugs and ids of the organizer world, tokens by caller, and an anonymous client."""

    slug: str
    other_slug: str
    meetup_id: int
    published_id: int
    client: FlaskClient
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}

    def call(self, who: str, method: str, url: str, **kwargs: Any) -> TestResponse:
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)


def person(email: str) -> Member:
    return db.session.query(Member).filter_by(email=email).one()


@pytest.fixture()
def api_world(app, organizer_world: World) -> ApiWorld:  # type: ignore[no-untyped-def]  # noqa: F811
    """Tokens: organizer (first community), other_organizer (second), member (seated in a
    published group of the first community)."""
    first = db.session.query(Community).filter_by(slug=organizer_world.slug).one()
    second = db.session.query(Community).filter_by(slug=organizer_world.other_slug).one()
    member = person("member@example.org")
    others = db.session.query(Member).filter(Member.email.like("p%@example.org")).limit(3).all()
    published = make_meetup(first, title="Published round")
    matched_group(published, [member, *others])
    tokens = {
        "organizer": api_tokens.create_organizer_token(
            first, person("organizer@example.org"), "Site"
        )[1],
        "other_organizer": api_tokens.create_organizer_token(
            second, person("other_organizer@example.org"), "Other site"
        )[1],
        "member": api_tokens.create_member_token(member, "Phone")[1],
    }
    return ApiWorld(
        organizer_world.slug,
        organizer_world.other_slug,
        organizer_world.meetup_id,
        published.id,
        app.test_client(),
        tokens,
    )


_PARAM = re.compile(r"\{[^}]+\}")


def assert_conforms(spec: dict[str, Any], method: str, url: str, response: TestResponse) -> None:
    """The response's status, media type and body are those the description documents for
    this operation."""
    path = url.split("?")[0].removeprefix("/api/v1")
    template = next(p for p in spec["paths"] if re.fullmatch(_PARAM.sub("[^/]+", p), path))
    operation = spec["paths"][template][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method} {template} does not document {response.status_code}"
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].split("/")[-1]]
    (media, content), *_ = documented["content"].items()
    assert response.mimetype == media, (response.mimetype, media)
    schema = {**content["schema"], "components": spec["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(json.loads(response.data)))
    assert not errors, [e.message for e in errors]
