"""Security settings come from the environment (issue 8, items 4 and 5): rate-limit storage,
limits and switch, the trusted proxy count, remember-me length and body size; bad values stop
start-up with the variable's name. With RATELIMIT_STORAGE_URI pointing at Redis, two app
instances (as two gunicorn workers or hosts would be) share one set of counters."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.helpers import csrf_token
from webapp.config import load_config
from webapp.rate_limits import DEFAULT_LIMITS, storage_uri

SETTINGS = (
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_ENABLED",
    "PROXY_COUNT",
    "REMEMBER_DAYS",
    "MAX_CONTENT_LENGTH",
    *DEFAULT_LIMITS,
)


@pytest.fixture()
def clean_env(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """No security setting in the environment; instance files under tmp_path."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEARTH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults(clean_env) -> None:  # type: ignore[no-untyped-def]
    config = load_config()
    assert config["RATELIMIT_STORAGE_URI"] == ""  # the Redis broker if any, else embedded
    assert config["PROXY_COUNT"] == 0
    assert "RATELIMIT_ENABLED" not in config  # on, except under TESTING (rate_limits.py)
    assert {name: config[name] for name in DEFAULT_LIMITS} == DEFAULT_LIMITS
    assert config["REMEMBER_COOKIE_DURATION"].days == 30
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_every_setting_is_read_from_the_environment(clean_env) -> None:  # type: ignore[no-untyped-def]
    values = {
        "RATELIMIT_STORAGE_URI": "redis://limits.internal:6379/3",
        "RATELIMIT_ENABLED": "0",
        "PROXY_COUNT": "2",
        "REMEMBER_DAYS": "7",
        "MAX_CONTENT_LENGTH": "65536",
        "RATELIMIT_LOGIN_PER_IP": "5/minute",
        "RATELIMIT_LOGIN_PER_ACCOUNT": "3/10minutes",
        "RATELIMIT_SIGNUP": "4/hour",
        "RATELIMIT_RESET": "6/hour",
        "RATELIMIT_EMAIL": "7/hour;20/day",
    }
    for name, value in values.items():
        clean_env.setenv(name, value)
    config = load_config()
    assert config["RATELIMIT_STORAGE_URI"] == "redis://limits.internal:6379/3"
    assert config["RATELIMIT_ENABLED"] is False
    assert config["PROXY_COUNT"] == 2
    assert config["REMEMBER_COOKIE_DURATION"].days == 7
    assert config["MAX_CONTENT_LENGTH"] == 65536
    for name in DEFAULT_LIMITS:
        assert config[name] == values[name]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PROXY_COUNT", "one", "PROXY_COUNT must be an integer"),
        ("PROXY_COUNT", "-1", "PROXY_COUNT must be 0 or more"),
        ("REMEMBER_DAYS", "31", "REMEMBER_DAYS must be between 1 and 30"),
        ("REMEMBER_DAYS", "0", "REMEMBER_DAYS must be between 1 and 30"),
        ("RATELIMIT_SIGNUP", "lots", "RATELIMIT_SIGNUP must be a rate limit"),
        ("RATELIMIT_LOGIN_PER_IP", "10 per", "RATELIMIT_LOGIN_PER_IP must be a rate limit"),
        ("MAX_CONTENT_LENGTH", "1MB", "MAX_CONTENT_LENGTH must be an integer"),
    ],
)
def test_a_bad_value_names_the_variable(clean_env, name, value, message) -> None:  # type: ignore[no-untyped-def]
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        load_config()


def test_the_environment_reaches_the_running_app(clean_env, make_app) -> None:  # type: ignore[no-untyped-def]
    clean_env.setenv("RATELIMIT_ENABLED", "1")
    clean_env.setenv("RATELIMIT_RESET", "1/minute")
    clean_env.setenv("PROXY_COUNT", "1")
    clean_env.setenv("RATELIMIT_STORAGE_URI", "memory://")
    flask_app = make_app({"TESTING": True})
    assert storage_uri(flask_app) == "memory://"
    assert _forgot(flask_app, "198.51.100.1").status_code == 200
    assert _forgot(flask_app, "198.51.100.1").status_code == 429
    assert _forgot(flask_app, "198.51.100.2").status_code == 200  # trusted X-Forwarded-For


def test_embedded_store_when_nothing_is_configured(clean_env, make_app) -> None:  # type: ignore[no-untyped-def]
    flask_app = make_app({"TESTING": True, "CELERY": {"broker_url": "sqla+sqlite:///x.sqlite"}})
    assert storage_uri(flask_app) == "memory://"


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL") and not REQUIRE_SERVICES, reason="needs TEST_REDIS_URL"
)
def test_two_app_instances_share_counters_in_redis(clean_env, make_app) -> None:  # type: ignore[no-untyped-def]
    """Like two gunicorn workers: each has its own limiter and connection; the second is
    refused because of the first one's requests."""
    clean_env.setenv("RATELIMIT_STORAGE_URI", os.environ["TEST_REDIS_URL"])
    clean_env.setenv("RATELIMIT_ENABLED", "1")
    clean_env.setenv("RATELIMIT_RESET", "2/minute")
    shared = {"TESTING": True, "RATELIMIT_KEY_PREFIX": f"test-shared-{uuid.uuid4().hex[:8]}"}
    first, second = make_app(shared), make_app(shared)
    assert first.extensions["hearth_limiter"] is not second.extensions["hearth_limiter"]
    assert storage_uri(first) == os.environ["TEST_REDIS_URL"]
    assert _forgot(first, "203.0.113.9", proxied=False).status_code == 200
    assert _forgot(second, "203.0.113.9", proxied=False).status_code == 200
    refused = _forgot(first, "203.0.113.9", proxied=False)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert _forgot(second, "203.0.113.9", proxied=False).status_code == 429


def _forgot(flask_app, ip: str, proxied: bool = True):  # type: ignore[no-untyped-def]
    """A password-reset request from `ip` (through the proxy's header, or as the peer)."""
    client = flask_app.test_client()
    environ = {"REMOTE_ADDR": "10.9.9.9" if proxied else ip}
    headers = {"X-Forwarded-For": ip} if proxied else {}
    page = client.get("/forgot", environ_base=environ, headers=headers)
    return client.post(
        "/forgot",
        data={"email": "a@example.org", "csrf_token": csrf_token(page.get_data(as_text=True))},
        environ_base=environ,
        headers=headers,
    )


def test_secure_cookies_makes_every_cookie_secure_and_adds_hsts(clean_env, make_app) -> None:  # type: ignore[no-untyped-def]
    clean_env.delenv("SECURE_COOKIES", raising=False)
    assert load_config()["SESSION_COOKIE_SECURE"] is False  # plain-HTTP development default
    clean_env.setenv("SECURE_COOKIES", "1")
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    response = make_app({"TESTING": True}).test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"]
