"""Sessions (issue 8, item 5): fresh session at login, server-side revocation on logout and
password change, idle and absolute timeouts, remember-me cookie flags and lifetime, and a
password re-entry to change the address or delete the account."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from tests.helpers import PASSWORD, csrf_token, log_in, sign_up, submit
from webapp.extensions import db
from webapp.models import Member, OutboxEmail


def _logged_in(app, client, email: str = "sam@example.org"):  # type: ignore[no-untyped-def]
    sign_up(client, email)
    assert client.get("/me").status_code == 200
    return client


def _session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    return client.get_cookie("session").value


def test_login_starts_a_fresh_session(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(app.test_client(), "sam@example.org")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
    assert log_in(client, "sam@example.org").status_code == 302
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert "login_at" in session and "_user_id" in session


def test_a_copied_cookie_is_refused_after_logout(app, client) -> None:  # type: ignore[no-untyped-def]
    _logged_in(app, client)
    stolen = _session_cookie(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/me").get_data(True))})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copied_cookie_is_refused_after_a_password_change(app, client) -> None:  # type: ignore[no-untyped-def]
    _logged_in(app, client)
    thief = app.test_client()
    thief.set_cookie("session", _session_cookie(client))
    assert thief.get("/me").status_code == 200
    submit(
        client,
        "/account",
        {"password-current_password": PASSWORD, "password-new_password": "a new long password"},
        action="/account/password",
    )
    assert client.get("/me").status_code == 200  # the changer stays logged in
    assert thief.get("/me").status_code == 302


def _age_session(client, *, login_minutes: int = 0, seen_minutes: int = 0) -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - login_minutes * 60
        session["seen_at"] = int(time.time()) - seen_minutes * 60


def test_idle_timeout_ends_the_session(app, client) -> None:  # type: ignore[no-untyped-def]
    _logged_in(app, client)
    idle = app.config["SESSION_IDLE_TIMEOUT_MINUTES"]
    _age_session(client, login_minutes=idle - 2, seen_minutes=idle - 2)
    assert client.get("/me").status_code == 200  # activity refreshes seen_at
    _age_session(client, login_minutes=idle + 5, seen_minutes=idle + 1)
    assert client.get("/me").status_code == 302


def test_absolute_timeout_ends_even_an_active_session(app, client) -> None:  # type: ignore[no-untyped-def]
    _logged_in(app, client)
    absolute = app.config["SESSION_ABSOLUTE_TIMEOUT_MINUTES"]
    _age_session(client, login_minutes=absolute - 1)
    assert client.get("/me").status_code == 200
    _age_session(client, login_minutes=absolute + 1)
    assert client.get("/me").status_code == 302


def test_remember_me_cookie_flags_and_lifetime(app, make_app) -> None:  # type: ignore[no-untyped-def]
    production = make_app(
        {"TESTING": True, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}
    )
    assert production.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    for flask_app, secure in ((app, False), (production, True)):
        sign_up(flask_app.test_client(), f"r{int(secure)}@example.org")
        client = flask_app.test_client()
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "email": f"r{int(secure)}@example.org",
                "password": PASSWORD,
                "remember": "y",
                "csrf_token": csrf_token(page.get_data(as_text=True)),
            },
        )
        cookies = response.headers.getlist("Set-Cookie")
        remember = next(c for c in cookies if c.startswith("remember_token="))
        session_cookie = next(c for c in cookies if c.startswith("session="))
        assert "HttpOnly" in remember and "SameSite=Lax" in remember
        assert ("Secure" in remember) is secure and ("Secure" in session_cookie) is secure
        assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_email_change_and_deletion_need_the_password(app, client) -> None:  # type: ignore[no-untyped-def]
    _logged_in(app, client)
    submit(
        client,
        "/account",
        {"email-new_email": "new@example.org", "email-current_password": "not my password"},
        action="/account/email",
    )
    submit(client, "/account", {"password": "not my password"}, action="/account/delete")
    db.session.expire_all()
    member = db.session.scalar(select(Member).where(Member.email == "sam@example.org"))
    assert member is not None and member.deleted_at is None
    assert not db.session.scalar(
        select(OutboxEmail.id).where(OutboxEmail.to_address == "new@example.org")
    )
    assert client.get("/me").status_code == 200
