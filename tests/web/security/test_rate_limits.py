"""Rate limits (issue 8, item 4): failed logins per IP and per account, sign-up, reset and
email-sending endpoints answer 429 with Retry-After; the owner is not locked out for long;
X-Forwarded-For counts only behind a configured proxy. Limits are set low per test and each
test app has its own counter namespace, so nothing depends on timing."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, csrf_token, sign_up
from webapp.rate_limits import storage_uri

LOW = {
    "TESTING": True,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_LOGIN_PER_IP": "4/minute",
    "RATELIMIT_LOGIN_PER_ACCOUNT": "3/minute",
    "RATELIMIT_SIGNUP": "2/minute",
    "RATELIMIT_RESET": "2/minute",
    "RATELIMIT_EMAIL": "2/minute",
}


@pytest.fixture()
def limited(make_app):  # type: ignore[no-untyped-def]
    return make_app(LOW)


def _post(flask_app, page: str, data: dict, ip: str = "10.0.0.1", headers=None):  # type: ignore[no-untyped-def]
    client = flask_app.test_client()
    environ = {"REMOTE_ADDR": ip}
    token = csrf_token(client.get(page, environ_base=environ).get_data(as_text=True))
    return client.post(
        page, data={**data, "csrf_token": token}, environ_base=environ, headers=headers or {}
    )


def _assert_limited(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many attempts" in response.get_data(as_text=True)


def test_failed_logins_per_ip(limited) -> None:  # type: ignore[no-untyped-def]
    for n in range(4):
        wrong = {"email": f"user{n}@example.org", "password": "wrong password"}
        assert _post(limited, "/login", wrong).status_code == 400
    _assert_limited(_post(limited, "/login", {"email": "x@example.org", "password": "nope"}))
    # another address (IP) is unaffected
    other_ip = _post(limited, "/login", {"email": "x@example.org", "password": "n"}, "10.0.0.2")
    assert other_ip.status_code == 400


def test_failed_logins_per_account_across_ips_without_locking_out_others(limited) -> None:  # type: ignore[no-untyped-def]
    with limited.app_context():
        sign_up(limited.test_client(), "owner@example.org")
    guess = {"email": "owner@example.org", "password": "wrong password"}
    for n in range(3):
        assert _post(limited, "/login", guess, ip=f"10.1.0.{n}").status_code == 400
    _assert_limited(_post(limited, "/login", guess, ip="10.1.0.99"))
    other = {"email": "someone@example.org", "password": "wrong password"}
    assert _post(limited, "/login", other, ip="10.1.0.99").status_code == 400


def test_successful_logins_do_not_count(limited) -> None:  # type: ignore[no-untyped-def]
    with limited.app_context():
        sign_up(limited.test_client(), "often@example.org")
    for _ in range(6):
        good = {"email": "often@example.org", "password": PASSWORD}
        assert _post(limited, "/login", good).status_code == 302


@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("/signup", {"email": "a@example.org", "display_name": "A", "password": PASSWORD}),
        ("/forgot", {"email": "a@example.org"}),
    ],
)
def test_sign_up_and_reset_are_limited(limited, page, data) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        assert _post(limited, page, data).status_code != 429
    _assert_limited(_post(limited, page, data))


def test_forwarded_for_is_ignored_without_a_proxy(limited) -> None:  # type: ignore[no-untyped-def]
    data = {"email": "a@example.org"}
    for n in range(2):
        _post(limited, "/forgot", data, headers={"X-Forwarded-For": f"192.0.2.{n}"})
    spoofed = _post(limited, "/forgot", data, headers={"X-Forwarded-For": "192.0.2.77"})
    _assert_limited(spoofed)


def test_forwarded_for_is_trusted_behind_one_proxy(make_app) -> None:  # type: ignore[no-untyped-def]
    proxied = make_app({**LOW, "PROXY_COUNT": 1})
    data = {"email": "a@example.org"}
    for _ in range(2):
        _post(proxied, "/forgot", data, headers={"X-Forwarded-For": "192.0.2.1"})
    _assert_limited(_post(proxied, "/forgot", data, headers={"X-Forwarded-For": "192.0.2.1"}))
    other = _post(proxied, "/forgot", data, headers={"X-Forwarded-For": "192.0.2.2"})
    assert other.status_code != 429


def test_storage_is_redis_when_the_broker_is_redis(make_app) -> None:  # type: ignore[no-untyped-def]
    redis_app = make_app({"TESTING": True, "CELERY": {"broker_url": "redis://h:6379/1"}})
    assert storage_uri(redis_app) == "redis://h:6379/1"
    explicit = make_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})
    assert storage_uri(explicit) == "memory://"


def test_every_limited_endpoint_exists(limited) -> None:  # type: ignore[no-untyped-def]
    """A renamed view would silently lose its limit: every name must be a real endpoint."""
    from webapp.rate_limits import EMAIL_ENDPOINTS

    for endpoint in ("auth.login", "auth.signup", "auth.forgot", *EMAIL_ENDPOINTS):
        assert endpoint in limited.view_functions, endpoint


def test_email_sending_endpoints_are_limited(limited) -> None:  # type: ignore[no-untyped-def]
    client = limited.test_client()
    environ = {"REMOTE_ADDR": "10.3.0.1"}
    with limited.app_context():
        client.post(
            "/signup",
            environ_base=environ,
            data={
                "email": "unconfirmed@example.org",
                "display_name": "Una",
                "password": PASSWORD,
                "csrf_token": csrf_token(client.get("/signup").get_data(as_text=True)),
            },
        )
        client.post(
            "/login",
            environ_base=environ,
            data={
                "email": "unconfirmed@example.org",
                "password": PASSWORD,
                "csrf_token": csrf_token(client.get("/login").get_data(as_text=True)),
            },
        )
    token = csrf_token(client.get("/me", environ_base=environ).get_data(as_text=True))
    for _ in range(2):
        response = client.post("/confirm/resend", data={"csrf_token": token}, environ_base=environ)
        assert response.status_code == 302
    _assert_limited(
        client.post("/confirm/resend", data={"csrf_token": token}, environ_base=environ)
    )
