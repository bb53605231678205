"""Helpers for driving the web app over HTTP the way a browser would (CSRF tokens included)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

PASSWORD = "a long enough passphrase"
_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    """The first CSRF token in a page."""
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


def submit(client: FlaskClient, page: str, data: dict, action: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """GET `page`, then POST `data` with its CSRF token to `action` (default: the page)."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action or page, data={**data, "csrf_token": token}, **kwargs)


def sign_up(client: FlaskClient, email: str, name: str = "Sam Doe", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Create an account through the sign-up form, then open the confirmation link from the
    email it queued (which confirms the address and logs in); returns that last response."""
    response = submit(
        client, "/signup", {"email": email, "display_name": name, "password": password}
    )
    link = confirmation_link(email)
    return client.get(link) if link else response


def confirmation_link(email: str) -> str | None:
    """The path of the newest confirmation link queued for an address, if any."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import OutboxEmail

    body = db.session.scalar(
        select(OutboxEmail.body_text)
        .where(
            OutboxEmail.kind == "confirm_email",
            OutboxEmail.to_address == email.strip().lower(),
        )
        .order_by(OutboxEmail.id.desc())
    )
    found = re.search(r"https?://[^/\s]+(/confirm/\S+)", body or "")
    return found.group(1) if found else None


def log_in(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the login form."""
    return submit(client, "/login", {"email": email, "password": password})


def fill_profile(client: FlaskClient, name: str, interests: str, availability: list[str]):  # type: ignore[no-untyped-def]
    """Save the profile form: interests as typed, availability as "weekday-part" values."""
    return submit(
        client,
        "/me/profile",
        {"display_name": name, "interests": interests, "about": "", "availability": availability},
    )
