"""Rate limits on the endpoints attackers hammer (issue 8, ASVS V2.2/V11): failed logins per
IP and per account, sign-up, password reset and every endpoint that sends email.

Counters live in `RATELIMIT_STORAGE_URI`: Redis in production, so every gunicorn worker and
host shares them (default: the Celery broker when it is Redis, else in-process memory, which
suits the single-process development server). Breaches answer 429 with Retry-After. Limits
are sliding windows, never a lockout: a login counts only when it fails, and the per-account
window is short, so the real owner gets back in within minutes.

`X-Forwarded-For` is trusted only for `PROXY_COUNT` proxies in front of the app (ProxyFix);
with 0 (the default) the client address is the TCP peer and the header is ignored.

Every setting here (the limits below, RATELIMIT_STORAGE_URI, RATELIMIT_ENABLED, PROXY_COUNT)
is an environment variable read and checked in `webapp/config.py`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

DEFAULT_LIMITS = {
    "RATELIMIT_LOGIN_PER_IP": "30/minute;200/hour",
    "RATELIMIT_LOGIN_PER_ACCOUNT": "10/5minutes",
    "RATELIMIT_SIGNUP": "10/hour",
    "RATELIMIT_RESET": "10/hour",
    "RATELIMIT_EMAIL": "20/hour",
}
#: Endpoints that send email on POST (sign-up and reset have their own settings).
EMAIL_ENDPOINTS = ("auth.resend", "auth.change_email", "organizer.message")


def _account_key() -> str:
    """The account a login names (normalised), so guesses spread over IPs still count."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response: Response) -> bool:
    """A login that did not redirect (a successful one does) counts against the limits."""
    return response.status_code != 302


def storage_uri(app: Flask) -> str:
    """The configured store, else the Redis broker, else process memory."""
    configured = app.config.get("RATELIMIT_STORAGE_URI")
    if configured:
        return str(configured)
    broker = str(app.config.get("CELERY", {}).get("broker_url", ""))
    return broker if broker.startswith(("redis://", "rediss://")) else "memory://"


def init_app(app: Flask) -> Limiter:
    """Trust the configured proxies, then wrap the sensitive views in their limits."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    for name, value in DEFAULT_LIMITS.items():
        app.config.setdefault(name, value)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    if app.testing:  # each test app counts on its own, even in a shared Redis
        app.config.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex[:8]}")
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["hearth_limiter"] = limiter  # the wrapped views hold only a weak reference

    def limit(endpoint: str, *wrappers: Callable) -> None:  # type: ignore[type-arg]
        view = app.view_functions.get(endpoint)
        if view is None:
            return
        for wrapper in wrappers:
            view = wrapper(view)
        app.view_functions[endpoint] = view

    post = ["POST"]
    config = app.config
    limit(
        "auth.login",
        limiter.limit(config["RATELIMIT_LOGIN_PER_IP"], methods=post, deduct_when=_failed),
        limiter.limit(
            config["RATELIMIT_LOGIN_PER_ACCOUNT"],
            key_func=_account_key,
            methods=post,
            deduct_when=_failed,
        ),
    )
    limit("auth.signup", limiter.limit(config["RATELIMIT_SIGNUP"], methods=post))
    limit("auth.forgot", limiter.limit(config["RATELIMIT_RESET"], methods=post))
    for endpoint in EMAIL_ENDPOINTS:
        limit(endpoint, limiter.limit(config["RATELIMIT_EMAIL"], methods=post))
    log.debug("rate limits stored in %s", config["RATELIMIT_STORAGE_URI"].split("@")[-1])
    return limiter
