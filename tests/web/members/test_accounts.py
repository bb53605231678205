"""Accounts: confirmation links, log-in and remember me, reset, change of address or password."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from tests.helpers import PASSWORD, log_in, sign_up, submit
from tests.web.members.conftest import last_email, link_in
from webapp.extensions import db
from webapp.models import Member, OutboxEmail
from webapp.services import account_changes, accounts, tokens
from webapp.services.errors import ServiceError
from webapp.services.tokens import Purpose


def _member(email: str = "sam@example.org") -> Member:
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == email))


def _sign_up_unconfirmed(client, email="sam@example.org"):  # type: ignore[no-untyped-def]
    return submit(client, "/signup", {"email": email, "display_name": "Sam", "password": PASSWORD})


def test_confirmation_link_is_built_from_base_url_and_works_once(app, client, base_url):  # type: ignore[no-untyped-def]
    response = _sign_up_unconfirmed(client)
    assert response.headers["Location"].endswith("/signup/check-your-email")
    assert "sam@example.org" in client.get("/signup/check-your-email").get_data(as_text=True)
    assert _member().email_confirmed_at is None
    assert client.get("/me").status_code == 302  # not logged in yet
    email = last_email("confirm_email", "sam@example.org")
    assert base_url + "/confirm/" in email.body_text
    link = link_in(email)
    assert client.get(link).headers["Location"].endswith("/me/profile")
    assert _member().email_confirmed_at is not None
    stranger = app.test_client()
    again = stranger.get(link, follow_redirects=True)
    assert "already confirmed" in again.get_data(as_text=True)
    assert stranger.get("/me").status_code == 302  # a used link logs nobody in


def test_links_ignore_a_forged_host_header(app, base_url):  # type: ignore[no-untyped-def]
    with app.test_request_context("/signup", base_url="http://evil.example"):
        accounts.sign_up("sam@example.org", PASSWORD, "Sam")
        account_changes.request_password_reset("sam@example.org")
    for kind in ("confirm_email", "password_reset"):
        body = last_email(kind).body_text
        assert "evil.example" not in body and base_url in body


def test_tampered_or_wrong_purpose_tokens_are_refused(app):  # type: ignore[no-untyped-def]
    reset_token = tokens.make(Purpose.RESET, {"m": 1, "p": "x"})
    with pytest.raises(ServiceError, match="not valid"):
        tokens.read(Purpose.CONFIRM, reset_token)
    with pytest.raises(ServiceError, match="not valid"):
        tokens.read(Purpose.RESET, reset_token[:-3] + "abc")


def test_reset_links_expire_after_an_hour(app, monkeypatch):  # type: ignore[no-untyped-def]
    assert tokens.MAX_AGE[Purpose.RESET] == 3600
    now = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now - 3601))
    old = tokens.make(Purpose.RESET, {"m": 1, "p": "x"})
    monkeypatch.undo()
    with pytest.raises(ServiceError, match="expired"):
        tokens.read(Purpose.RESET, old)


def test_forgot_password_looks_the_same_for_known_and_unknown_addresses(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    known = submit(app.test_client(), "/forgot", {"email": "sam@example.org"})
    unknown = submit(app.test_client(), "/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    resets = db.session.scalars(
        select(OutboxEmail.to_address).where(OutboxEmail.kind == "password_reset")
    )
    assert list(resets) == ["sam@example.org"]


def test_reset_sets_a_new_password_once_and_ends_other_sessions(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    assert client.get("/me").status_code == 200
    browser = app.test_client()
    submit(browser, "/forgot", {"email": "sam@example.org"})
    link = link_in(last_email("password_reset"))
    response = submit(
        browser, link, {"password": "a brand new secret", "confirm": "a brand new secret"}
    )
    assert response.headers["Location"].endswith("/me")
    assert browser.get("/me").status_code == 200
    assert client.get("/me").status_code == 302, "the old session ended"
    assert log_in(app.test_client(), "sam@example.org").status_code == 400
    assert log_in(app.test_client(), "sam@example.org", "a brand new secret").status_code == 302
    used = browser.get(link, follow_redirects=True).get_data(as_text=True)
    assert "already been used" in used


def test_a_password_change_voids_an_open_reset_link(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    submit(app.test_client(), "/forgot", {"email": "sam@example.org"})
    link = link_in(last_email("password_reset"))
    account_changes.change_password(_member(), PASSWORD, "another good password")
    with pytest.raises(ServiceError, match="already been used"):
        account_changes.member_for_reset(link.rsplit("/", 1)[-1])


def test_reset_form_errors_are_next_to_the_field(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    submit(app.test_client(), "/forgot", {"email": "sam@example.org"})
    link = link_in(last_email("password_reset"))
    response = submit(
        app.test_client(), link, {"password": "long enough 1", "confirm": "different 2"}
    )
    assert response.status_code == 400
    assert 'id="confirm-error">The two passwords differ.' in response.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie_only_when_asked(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    plain = app.test_client()
    log_in(plain, "sam@example.org")
    assert plain.get_cookie("remember_token") is None
    remembered = app.test_client()
    submit(
        remembered, "/login", {"email": "sam@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert remembered.get_cookie("remember_token") is not None
    remembered.delete_cookie("session")
    assert remembered.get("/me").status_code == 200, "the cookie alone logs back in"


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    other = app.test_client()
    log_in(other, "sam@example.org")
    wrong = submit(
        client,
        "/account",
        {"password-current_password": "nope nope", "password-new_password": "x" * 10},
        action="/account/password",
    )
    assert wrong.status_code == 400
    assert (
        'id="password-current_password-error">That is not your current password.'
        in wrong.get_data(as_text=True)
    )
    ok = submit(
        client,
        "/account",
        {"password-current_password": PASSWORD, "password-new_password": "a new long password"},
        action="/account/password",
    )
    assert ok.status_code == 302
    assert client.get("/me").status_code == 200, "this session stays"
    assert other.get("/me").status_code == 302, "the other one ended"
    assert last_email("account_notice", "sam@example.org") is not None


def test_change_email_moves_the_account_after_the_new_address_confirms(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    data = {"email-new_email": "Sam@New.example", "email-current_password": PASSWORD}
    assert submit(client, "/account", data, action="/account/email").status_code == 302
    assert _member("sam@example.org") is not None, "nothing changes before the link is opened"
    link = link_in(last_email("confirm_new_email", "sam@new.example"))
    client.get(link)
    assert _member("sam@new.example").email_confirmed_at is not None
    assert last_email("account_notice", "sam@example.org") is not None, "old address is told"
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "already been used" in again
    assert log_in(app.test_client(), "sam@new.example").status_code == 302


def test_change_email_to_a_taken_address_reveals_nothing(app, client):  # type: ignore[no-untyped-def]
    sign_up(app.test_client(), "taken@example.org", "Tia")
    sign_up(client, "sam@example.org")
    data = {"email-new_email": "taken@example.org", "email-current_password": PASSWORD}
    taken = submit(client, "/account", data, action="/account/email")
    free = submit(
        client, "/account", {**data, "email-new_email": "free@example.org"}, action="/account/email"
    )
    assert taken.status_code == free.status_code == 302
    assert last_email("email_taken", "taken@example.org") is not None
    assert (
        _member("sam@example.org") is not None
        and _member("taken@example.org").display_name == "Tia"
    )


def test_log_out_everywhere(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    other = app.test_client()
    log_in(other, "sam@example.org")
    submit(client, "/account", {}, action="/account/log-out-everywhere")
    assert client.get("/me").status_code == 302 and other.get("/me").status_code == 302


def test_unconfirmed_members_can_log_in_and_resend_the_link(app, client):  # type: ignore[no-untyped-def]
    _sign_up_unconfirmed(client)
    browser = app.test_client()
    assert log_in(browser, "sam@example.org").status_code == 302
    page = browser.get("/me").get_data(as_text=True)
    assert "Please confirm your address" in page
    submit(browser, "/me", {}, action="/confirm/resend")  # throttled: one is enough
    count = db.session.scalar(
        select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "confirm_email")
    )
    assert count == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    email=st.text(max_size=60),
    name=st.text(max_size=90),
    password=st.text(max_size=140),
)
def test_sign_up_never_fails_with_a_server_error(client, email, name, password):  # type: ignore[no-untyped-def]
    response = submit(
        client, "/signup", {"email": email, "display_name": name, "password": password}
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        assert _member(accounts.normalise_email(email)) is not None
    db.session.rollback()


@pytest.mark.parametrize("field", ["email", "display_name", "password"])
def test_nul_characters_never_reach_the_database(app, client, field):  # type: ignore[no-untyped-def]
    data = {"email": "sam@example.org", "display_name": "Sam", "password": PASSWORD}
    data[field] = data[field][:2] + "\x00" + data[field][2:]
    response = submit(client, "/signup", data)
    assert response.status_code in (302, 400)
    for page in ("/login", "/forgot"):
        assert (
            submit(
                app.test_client(), page, {"email": "s\x00@example.org", "password": "x"}
            ).status_code
            < 500
        )
