"""No account enumeration (issue 8, item 2): login failure, sign-up with a taken address and
password reset answer identically for known and unknown addresses (status, cookies set,
body modulo the CSRF token) and cost about the same time (a dummy Argon2 check)."""

from __future__ import annotations

import re
import statistics
import time

from tests.helpers import PASSWORD, csrf_token, sign_up
from webapp.services import accounts

_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def _fingerprint(response) -> tuple[int, str | None, list[str], str]:  # type: ignore[no-untyped-def]
    """Status, redirect target, cookie names with attributes (not values), body without the
    per-session CSRF token."""
    cookies = sorted(
        re.sub(r"^([^=]+)=[^;]*", r"\1", header)
        for header in response.headers.getlist("Set-Cookie")
    )
    body = _CSRF_VALUE.sub(r"\1TOKEN\2", response.get_data(as_text=True))
    return response.status_code, response.headers.get("Location"), cookies, body


def _post(app, page: str, data: dict, follow: bool = False):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(page, data={**data, "csrf_token": token}, follow_redirects=follow)


def _known_account(app) -> None:  # type: ignore[no-untyped-def]
    sign_up(app.test_client(), "known@example.org", name="Kim Known")


def test_login_failure_is_identical_for_known_and_unknown_addresses(app) -> None:  # type: ignore[no-untyped-def]
    _known_account(app)
    known = _post(app, "/login", {"email": "known@example.org", "password": "wrong password!"})
    unknown = _post(app, "/login", {"email": "nobody@example.org", "password": "wrong password!"})
    assert known.status_code == 400
    known_print, unknown_print = _fingerprint(known), _fingerprint(unknown)
    assert known_print[:3] == unknown_print[:3]
    # The form shows back the address typed, which differs by construction.
    assert known_print[3].replace("known@", "X@") == unknown_print[3].replace("nobody@", "X@")


def test_sign_up_with_a_taken_address_is_identical_to_a_new_one(app) -> None:  # type: ignore[no-untyped-def]
    _known_account(app)
    data = {"display_name": "Sam", "password": PASSWORD}
    taken = _post(app, "/signup", {**data, "email": "known@example.org"}, follow=True)
    fresh = _post(app, "/signup", {**data, "email": "fresh@example.org"}, follow=True)
    assert taken.status_code == 200
    taken_print, fresh_print = _fingerprint(taken), _fingerprint(fresh)
    # The page names the address typed, which differs by construction.
    assert taken_print[3].replace("known@", "X@") == fresh_print[3].replace("fresh@", "X@")
    assert taken_print[:3] == fresh_print[:3]


def test_password_reset_request_is_identical_for_known_and_unknown(app) -> None:  # type: ignore[no-untyped-def]
    _known_account(app)
    known = _post(app, "/forgot", {"email": "known@example.org"}, follow=True)
    unknown = _post(app, "/forgot", {"email": "nobody@example.org"}, follow=True)
    known_print, unknown_print = _fingerprint(known), _fingerprint(unknown)
    assert known_print[:3] == unknown_print[:3]
    assert known_print[3].replace("known@", "X@") == unknown_print[3].replace("nobody@", "X@")


def _median_seconds(check, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        check()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def test_unknown_addresses_cost_an_argon2_check_too(app) -> None:  # type: ignore[no-untyped-def]
    """Without the dummy hash a miss would cost a database lookup (~1 ms) against Argon2's
    tens of ms; the bound is loose so a busy machine cannot make it flaky."""
    _known_account(app)
    known = _median_seconds(lambda: accounts.authenticate("known@example.org", "wrong password"))
    unknown = _median_seconds(lambda: accounts.authenticate("nobody@example.org", "wrong pass"))
    invalid = _median_seconds(lambda: accounts.authenticate("not an address", "wrong pass"))
    assert known > 0.005
    assert unknown > known / 3 and invalid > known / 3
    assert accounts.authenticate("known@example.org", PASSWORD) is not None
