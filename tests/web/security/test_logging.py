"""Logging (issue 8, item 10): every login attempt is logged with member id (or "unknown"),
IP and outcome; no password, token or session cookie ever reaches the logs."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from tests.helpers import confirmation_link, csrf_token, submit
from webapp.extensions import db
from webapp.models import Member, OutboxEmail
from webapp.services import accounts

SENTINEL_PASSWORD = "sentinel-PASS-7f3a9c pass phrase"
NEW_PASSWORD = "sentinel-NEWPASS-51be02 phrase"


def _all_logged(caplog) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(
        record.getMessage() + str(record.args) + str(record.exc_text or "")
        for record in caplog.records
    )


def test_login_attempts_are_logged_and_secrets_never_are(app, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    submit(
        client,
        "/signup",
        {"email": "sam@example.org", "display_name": "Sam", "password": SENTINEL_PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    link = confirmation_link("sam@example.org")
    confirm_token = link.rsplit("/", 1)[-1]
    client.get(link)
    member_id = db.session.scalar(select(Member.id))
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/me").get_data(True))})

    other = app.test_client()
    for email, password in (
        ("sam@example.org", "wrong sentinel-WRONG-0c1d"),
        ("nobody@example.org", SENTINEL_PASSWORD),
        ("sam@example.org", SENTINEL_PASSWORD),
    ):
        page = other.get("/login", environ_base={"REMOTE_ADDR": "198.51.100.7"})
        other.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
    session_cookie = other.get_cookie("session").value

    submit(app.test_client(), "/forgot", {"email": "sam@example.org"})
    body = db.session.scalar(
        select(OutboxEmail.body_text).where(OutboxEmail.kind == "password_reset")
    )
    reset_path = re.search(r"https?://[^/\s]+(/reset/\S+)", body).group(1)
    reset_client = app.test_client()
    reset = submit(reset_client, reset_path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reset.status_code == 302
    db.session.expire_all()
    assert accounts.verify_password(db.session.get(Member, member_id), NEW_PASSWORD)

    logged = _all_logged(caplog)
    attempts = [r.getMessage() for r in caplog.records if "login attempt" in r.getMessage()]
    assert (
        f"login attempt member={member_id} ip=198.51.100.7 outcome=failed: wrong password"
        in attempts
    )
    assert (
        "login attempt member=unknown ip=198.51.100.7 outcome=failed: no such account" in attempts
    )
    assert f"login attempt member={member_id} ip=198.51.100.7 outcome=succeeded" in attempts
    for secret in (
        SENTINEL_PASSWORD,
        "sentinel-WRONG",
        NEW_PASSWORD,
        confirm_token,
        reset_path.rsplit("/", 1)[-1],
        session_cookie,
        "nobody@example.org",
    ):
        assert secret not in logged, secret
