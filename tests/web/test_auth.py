"""Sign-up, log-in and log-out over HTTP, including the bad-input cases."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import PASSWORD, csrf_token, log_in, sign_up, submit
from webapp.extensions import db
from webapp.models import Member, OutboxEmail


def _members() -> int:
    return db.session.scalar(select(func.count()).select_from(Member))


def test_sign_up_confirms_by_email_then_logs_in_and_hashes_the_password(client):  # type: ignore[no-untyped-def]
    response = sign_up(client, "  Sam@Example.org ", "Sam Doe")  # follows the emailed link
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/profile")
    member = db.session.scalar(select(Member))
    assert member.email == "sam@example.org"
    assert member.email_confirmed_at is not None
    assert member.password_hash.startswith("$argon2id$")
    assert PASSWORD not in member.password_hash
    assert "Hello, Sam" in client.get("/me").get_data(as_text=True)


def test_duplicate_email_looks_the_same_and_makes_no_second_account(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    fresh = submit(
        app.test_client(),
        "/signup",
        {"email": "new@example.org", "display_name": "New", "password": PASSWORD},
    )
    taken = submit(
        app.test_client(),
        "/signup",
        {"email": "SAM@example.org", "display_name": "Another Sam", "password": PASSWORD},
    )
    assert fresh.status_code == taken.status_code == 302
    assert fresh.headers["Location"] == taken.headers["Location"]
    assert _members() == 2  # sam and new; no second sam
    warning = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "signup_attempt"))
    assert warning.to_address == "sam@example.org"
    assert "Someone tried to sign up" in warning.body_text


def test_missing_fields_and_short_password_are_explained(client):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/signup").get_data(as_text=True))
    response = client.post("/signup", data={"csrf_token": token, "email": "", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This field is required." in page
    assert "at least 8 characters" in page
    assert _members() == 0


def test_form_without_csrf_token_is_refused(client):  # type: ignore[no-untyped-def]
    response = client.post(
        "/signup", data={"email": "x@example.org", "display_name": "X", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert _members() == 0


def test_wrong_password_and_unknown_email_look_the_same(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    wrong = log_in(app.test_client(), "sam@example.org", "not the password")
    unknown = log_in(app.test_client(), "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        assert "do not match an account" in response.get_data(as_text=True)


def test_log_in_and_out(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    browser = app.test_client()
    assert log_in(browser, "sam@example.org").headers["Location"].endswith("/me")
    assert browser.get("/me").status_code == 200
    token = csrf_token(browser.get("/me").get_data(as_text=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert browser.get("/me").status_code == 302  # back to the login page


def test_login_never_redirects_to_another_site(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    browser = app.test_client()
    token = csrf_token(browser.get("/login").get_data(as_text=True))
    response = browser.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "email": "sam@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/me"


def test_no_database_connection_is_held_while_argon2_runs(app, client, monkeypatch):  # type: ignore[no-untyped-def]
    """Sign-up and login hash or check the password with no transaction open, so a burst of
    them (~30 ms of CPU each) does not hold every pooled connection (issue 8, load)."""
    from webapp.services import accounts

    held: list[bool] = []
    real = accounts._hasher

    class Watching:
        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            attribute = getattr(real, name)
            if name not in {"hash", "verify"}:
                return attribute

            def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
                held.append(db.session().in_transaction())
                return attribute(*args, **kwargs)

            return watched

    monkeypatch.setattr(accounts, "_hasher", Watching())
    sign_up(client, "sam@example.org")  # confirmed through the emailed link
    assert log_in(app.test_client(), "sam@example.org").status_code == 302
    assert log_in(app.test_client(), "nobody@example.org").status_code == 400
    assert held and not any(held), held
