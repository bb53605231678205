"""Account tokens and links (issue 8, items 2, 3 and 10): tokens are random and bound to
their purpose; every emailed link is built from BASE_URL whatever Host header the request
carried; the owner of a taken address is told by email; debug is off and an unexpected
error shows the generic page without any detail. (Single use, expiry and password binding:
tests/web/members/test_accounts.py.)"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import PASSWORD, csrf_token, sign_up
from webapp.extensions import db
from webapp.models import Member, OutboxEmail
from webapp.services import tokens
from webapp.services.errors import ServiceError
from webapp.services.tokens import Purpose

HOSTILE_HOST = "evil.example"


def test_tokens_are_random_and_never_cross_purposes(app) -> None:  # type: ignore[no-untyped-def]
    payload = {"m": 7, "p": "fingerprint"}
    made = {tokens.make(Purpose.RESET, payload) for _ in range(20)}
    assert len(made) == 20  # same payload, same second: still all different
    for token in made:
        assert tokens.read(Purpose.RESET, token)["m"] == 7
        with pytest.raises(ServiceError):
            tokens.read(Purpose.CONFIRM, token)


def _post_from_hostile_host(app, page: str, data: dict):  # type: ignore[no-untyped-def]
    client = app.test_client()
    base = f"http://{HOSTILE_HOST}"
    headers = {"X-Forwarded-Host": HOSTILE_HOST, "Forwarded": f"host={HOSTILE_HOST}"}
    token = csrf_token(client.get(page, base_url=base, headers=headers).get_data(as_text=True))
    return client.post(page, base_url=base, headers=headers, data={**data, "csrf_token": token})


def test_emailed_links_come_from_base_url_never_the_host_header(app) -> None:  # type: ignore[no-untyped-def]
    app.config["BASE_URL"] = "https://hearth.example.org"
    sign_up(app.test_client(), "known@example.org", "Kim")
    new = {"email": "new@example.org", "display_name": "New", "password": PASSWORD}
    _post_from_hostile_host(app, "/signup", new)
    _post_from_hostile_host(app, "/signup", {**new, "email": "known@example.org"})
    _post_from_hostile_host(app, "/forgot", {"email": "known@example.org"})
    kinds = set()
    for kind, body in db.session.execute(select(OutboxEmail.kind, OutboxEmail.body_text)):
        kinds.add(kind)
        assert HOSTILE_HOST not in body, kind
        for link in re.findall(r"https?://[^\s\"'<>]+", body):
            assert link.startswith("https://hearth.example.org/"), (kind, link)
    assert {"confirm_email", "password_reset"} <= kinds


def test_the_owner_of_a_taken_address_gets_an_email_instead(app) -> None:  # type: ignore[no-untyped-def]
    sign_up(app.test_client(), "known@example.org", "Kim")
    response = _post_from_hostile_host(
        app,
        "/signup",
        {"email": "Known@Example.org", "display_name": "Intruder", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Member)) == 1
    warning = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "signup_attempt"))
    assert warning is not None and warning.to_address == "known@example.org"
    assert "Intruder" not in warning.body_text


def test_debug_is_off_and_errors_show_the_generic_page(make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    production = make_app({"PROPAGATE_EXCEPTIONS": False})
    assert production.debug is False and production.testing is False

    def explode() -> str:
        raise RuntimeError("sentinel-internal-detail")

    production.add_url_rule("/explode-for-test", "explode_for_test", explode)
    response = production.test_client().get("/explode-for-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    for detail in ("sentinel-internal-detail", "RuntimeError", "Traceback", "werkzeug"):
        assert detail not in body
    assert response.headers["Content-Security-Policy"]
