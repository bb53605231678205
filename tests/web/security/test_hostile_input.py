"""Hostile input never causes a 500 (issue 8, item 8): random text (NUL bytes, surrogates
excluded by HTTP, control characters, huge strings) posted to every form route, as an
organizer of the community, with a valid CSRF token."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers import csrf_token
from tests.web.organizer.conftest import logged_in_client
from tests.web.security.route_walk import all_routes, fill, parameter_values
from webapp import create_app
from webapp.extensions import db
from webapp.models import Member

FORM_ROUTES = [
    route
    for route in all_routes(create_app())
    if "POST" in route.methods and not route.endpoint.startswith("links.")
]
_FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', re.I)
COMMON_FIELDS = ["email", "password", "display_name", "name", "title", "note", "body"]

hostile_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from("\x00\r\n<>'\"&%;\\é\u202e"), max_size=50),
    st.integers(min_value=21_000, max_value=60_000).map(lambda n: "x" * n),
)


def test_every_state_changing_route_is_fuzzed() -> None:
    assert len(FORM_ROUTES) >= 30


def _field_names(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(url)
    names = _FIELD.findall(page.get_data(as_text=True)) if page.status_code == 200 else []
    return sorted(set(names) - {"csrf_token"}) or COMMON_FIELDS


@pytest.mark.parametrize("route", FORM_ROUTES, ids=lambda route: route.endpoint)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_text_never_causes_a_server_error(app, seeded, route, data) -> None:  # type: ignore[no-untyped-def]
    # A fresh session each example: an earlier one may have logged out everywhere.
    organizer = db.session.scalar(select(Member).filter_by(email="organizer@example.org"))
    db.session.refresh(organizer)
    client = logged_in_client(app, organizer)
    url = fill(route.rule, parameter_values(seeded.slug, seeded.meetup_id))
    names = _field_names(client, url)
    token = csrf_token(client.get("/me").get_data(as_text=True))
    form = {name: data.draw(hostile_text, label=name) for name in names}
    response = client.post(url, data={**form, "csrf_token": token})
    assert response.status_code < 500, (url, response.status_code)
    if any("\x00" in value or len(value) > 20_000 for value in form.values()):
        assert response.status_code == 400


def test_nul_byte_is_a_400_with_the_friendly_page(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/login", data={"email": "a\x00@example.org", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/communities?q=%00").status_code == 400


def test_over_long_field_is_a_400(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/signup").get_data(as_text=True))
    response = client.post(
        "/signup",
        data={"email": "a@example.org", "display_name": "n" * 20_001, "csrf_token": token},
    )
    assert response.status_code == 400


def test_body_over_max_content_length_is_a_413(app, client) -> None:  # type: ignore[no-untyped-def]
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    response = client.post("/login", data={"email": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
