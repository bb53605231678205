"""Signed, expiring tokens for account emails: confirm an address, reset a password, move
an account to a new address.

Each purpose has its own salt, so a token made for one can never be used for another.
Tokens are single use by what they are bound to: a confirmation names the address it
confirms (a second click finds it already confirmed), a reset carries a fingerprint of the
current password hash (any password change, including the reset itself, voids it), and an
address change names the old address (once moved, the token no longer matches).
Every token also carries 128 random bits, so no two are alike and none can be predicted
from the payload and time (the HMAC with SECRET_KEY is what makes them unforgeable).
Links are built from BASE_URL, never from the request's Host header.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from typing import Any

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webapp.services.errors import ServiceError


class Purpose(enum.StrEnum):
    """What a token is for; also part of its salt."""

    CONFIRM = "confirm-email"
    RESET = "reset-password"
    CHANGE_EMAIL = "change-email"


#: How long each kind of link works, in seconds.
MAX_AGE = {
    Purpose.CONFIRM: 3 * 24 * 3600,
    Purpose.RESET: 3600,
    Purpose.CHANGE_EMAIL: 24 * 3600,
}
#: The URL path each purpose's link opens.
PATHS = {
    Purpose.CONFIRM: "/confirm/",
    Purpose.RESET: "/reset/",
    Purpose.CHANGE_EMAIL: "/confirm-new-email/",
}


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"hearth.account.{purpose.value}"
    )


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


#: The payload key holding a token's random part (readers ignore it).
NONCE = "r"


def make(purpose: Purpose, payload: dict[str, Any]) -> str:
    """A signed, timestamped token carrying `payload` and 128 random bits."""
    return str(_serializer(purpose).dumps({**payload, NONCE: secrets.token_urlsafe(16)}))


def link(purpose: Purpose, payload: dict[str, Any]) -> str:
    """The absolute link for an email, built from BASE_URL."""
    return current_app.config["BASE_URL"] + PATHS[purpose] + make(purpose, payload)


def read(purpose: Purpose, token: str, max_age: int | None = None) -> dict[str, Any]:
    """The payload of a valid token, or a ServiceError a person can read."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age or MAX_AGE[purpose])
    except SignatureExpired:
        raise ServiceError(gettext("This link has expired. Please ask for a new one.")) from None
    except BadSignature:
        raise ServiceError(
            gettext("This link is not valid. It may have been cut short by your mail program.")
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise ServiceError(gettext("This link is not valid."))
    return data
