"""Per-token rate limits (429 with Retry-After, as a problem document), and a bounded
schemathesis run: generated requests never get a 500 and every answer matches the
description."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.web.api.conftest import ApiWorld
from webapp import create_app


def test_each_token_has_its_own_limit(api_world: ApiWorld) -> None:
    limited = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "RATELIMIT_API": "3/minute"})
    client = limited.test_client()
    url = f"/api/v1/communities/{api_world.slug}"
    organizer = {"Authorization": f"Bearer {api_world.tokens['organizer']}"}
    assert [client.get(url, headers=organizer).status_code for _ in range(3)] == [200] * 3
    refused = client.get(url, headers=organizer)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["status"] == 429
    other = {"Authorization": f"Bearer {api_world.tokens['member']}"}
    assert client.get("/api/v1/me/groups", headers=other).status_code == 200


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_generated_requests_conform_to_the_description(api_world: ApiWorld) -> None:
    pytest.importorskip("schemathesis")
    from schemathesis.openapi import from_wsgi

    schema = from_wsgi("/api/v1/openapi.json", api_world.client.application)
    tokens = {"organizer": api_world.tokens["organizer"], "member": api_world.tokens["member"]}
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        token = tokens["member" if operation.path.startswith("/me/") else "organizer"]

        @settings(
            max_examples=3,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = api_world.slug
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}  # noqa: B023
            response = case.call()
            assert response.status_code < 500, response.text
            case.validate_response(response)

        run()
        checked += 1
    assert checked >= 8
