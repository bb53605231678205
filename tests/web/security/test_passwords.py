"""Passwords (issue 8, item 1): Argon2id at OWASP's parameters, rehashed on login when they
change, 8 to 128 characters of any Unicode never truncated, the common ones refused."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers import PASSWORD, log_in, sign_up, submit
from webapp.extensions import db
from webapp.models import Member
from webapp.services import accounts
from webapp.services.errors import ServiceError
from webapp.services.password_policy import common_passwords, is_common


def _member(email: str = "sam@example.org") -> Member:
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == email))


def _parameters(encoded: str) -> tuple[str, dict[str, int]]:
    """('argon2id', {'m': ..., 't': ..., 'p': ...}) from an encoded hash."""
    _, variant, _, params, *_ = encoded.split("$")
    return variant, {key: int(value) for key, value in (p.split("=") for p in params.split(","))}


def test_hashes_are_argon2id_with_owasp_parameters(app) -> None:  # type: ignore[no-untyped-def]
    variant, params = _parameters(accounts.hash_password("correct horse battery"))
    assert variant == "argon2id"
    assert params["m"] >= 19 * 1024 and params["t"] == 2 and params["p"] == 1


def test_login_rehashes_a_weaker_hash(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    _member().password_hash = weak.hash(PASSWORD)
    db.session.commit()
    assert _parameters(_member().password_hash)[1]["m"] == 8 * 1024
    client.post("/logout", data={"csrf_token": _token(client)})
    assert log_in(app.test_client(), "sam@example.org").status_code == 302
    _, params = _parameters(_member().password_hash)
    assert params["m"] >= 19 * 1024 and params["t"] == 2 and params["p"] == 1
    assert accounts.verify_password(_member(), PASSWORD)


def _token(client) -> str:  # type: ignore[no-untyped-def]
    from tests.helpers import csrf_token

    return csrf_token(client.get("/me").get_data(as_text=True))


@settings(max_examples=10, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=8, max_size=128))
def test_any_unicode_of_8_to_128_characters_is_accepted_and_never_truncated(password) -> None:  # type: ignore[no-untyped-def]
    if is_common(password):
        return
    hashed = accounts.hash_password(password)
    member = Member(email="x@example.org", password_hash=hashed, display_name="X")
    assert accounts.verify_password(member, password)
    assert not accounts.verify_password(member, password[:-1])
    assert not accounts.verify_password(member, password[:-1] + chr(ord(password[-1]) ^ 1))


def test_length_limits_are_8_and_128_characters(app) -> None:  # type: ignore[no-untyped-def]
    long_password = "🔥ü" * 64  # 128 characters, 384 bytes in UTF-8
    member = Member(email="x@example.org", password_hash=accounts.hash_password(long_password))
    assert accounts.verify_password(member, long_password)
    assert not accounts.verify_password(member, long_password[:72])  # no bcrypt-style cut
    for bad in ("short77", "x" * 129):
        with pytest.raises(ServiceError, match="8 to 128"):
            accounts.hash_password(bad)


def test_the_list_ships_3000_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) == 3000
    assert {"password", "12345678", "iloveyou", "qwertyuiop"} <= listed


@pytest.mark.parametrize("password", ["password", "Password1", "  QWERTYUIOP ", "iloveyou"])
def test_common_passwords_are_refused_at_sign_up_with_a_clear_message(client, password) -> None:  # type: ignore[no-untyped-def]
    response = submit(
        client,
        "/signup",
        {"email": "sam@example.org", "display_name": "Sam", "password": password},
    )
    assert response.status_code == 400  # the form again, message next to the field
    assert "one of the most common" in response.get_data(as_text=True)
    assert _member() is None


def test_common_passwords_are_refused_on_change(app, client) -> None:  # type: ignore[no-untyped-def]
    from webapp.services import account_changes

    sign_up(client, "sam@example.org")
    with pytest.raises(ServiceError, match="most common"):
        account_changes.change_password(_member(), PASSWORD, "password1")
    assert accounts.verify_password(_member(), PASSWORD)
