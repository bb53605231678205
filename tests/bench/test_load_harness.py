"""The load bench's harness on the real app, in a few seconds (no figures are judged here):
the fixed-rate generator keeps its schedule and reads real answers, the bench's login
gives member cookies that open member pages, and the locust flows (CSRF, cookies, sign-up
then login) run against the app and record what they did.

The app is served by werkzeug in a thread on the test database (rate limits are off in the
test configuration); the benchmark itself uses gunicorn.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from werkzeug.serving import make_server

from bench.load import fixed_rate, runner
from bench.load.__main__ import table
from bench.load.stats import figures, percentile

PASSWORD = "a long load bench password"


class _Served:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


@pytest.fixture()
def served(app):  # type: ignore[no-untyped-def]
    """The test app on a free local port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Served(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join()


@pytest.fixture()
def context(served, app, tmp_path):  # type: ignore[no-untyped-def]
    """A bench context with two members who can log in, one of them in no group."""
    import json

    from webapp.extensions import db
    from webapp.services import accounts

    emails = ["bench-a@example.org", "bench-b@example.org"]
    for email in emails:
        accounts.sign_up(email, PASSWORD, "Bench")
    db.session.remove()
    members = [{"email": email, "groups": []} for email in emails]
    members_file = tmp_path / "members.json"
    members_file.write_text(json.dumps({"password": PASSWORD, "members": members}))
    return runner.Context(served, members_file, members, PASSWORD, tmp_path)  # type: ignore[arg-type]


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    result = figures([5.0, 7.0], [200, 503], 2.0)
    assert result.rate == 1.0
    assert result.errors == 1
    assert result.server_errors == 0


def test_fixed_rate_keeps_its_schedule_on_public_pages(served) -> None:  # type: ignore[no-untyped-def]
    samples = fixed_rate.run(served.base_url, [("/", ""), ("/login", "")], rate=20, duration=2)
    assert len(samples) == 40
    starts = sorted(s.at for s in samples)
    assert starts[-1] == pytest.approx(39 / 20, abs=0.2)  # scheduled, not paced by answers
    assert Counter(s.status for s in samples) == {200: 40}
    assert all(s.latency_ms > 0 for s in samples)


def test_bench_login_opens_member_pages(context) -> None:  # type: ignore[no-untyped-def]
    pairs = runner.member_requests(context, 2)
    assert {path for path, _ in pairs} == {"/me/profile", "/me"}
    samples = fixed_rate.run(context.server.base_url, pairs, rate=10, duration=1)
    assert Counter(s.status for s in samples) == {200: 10}  # a lost cookie would be a 302


def test_locust_flows_sign_up_log_in_and_read_pages(context) -> None:  # type: ignore[no-untyped-def]
    samples = runner.run_locust(
        context,
        ["MemberPages", "PublicPages", "SignupLogin"],
        users=11,  # the classes' weights 8:2:1, so each class gets users
        spawn_rate=11,
        seconds=4,
        label="smoke",
    )
    by_name: dict[str, Counter[int]] = {}
    for _t, name, _ms, status in samples:
        by_name.setdefault(name, Counter())[status] += 1
    assert set(by_name["auth POST /signup"]) == {302}
    assert set(by_name["auth POST /login"]) == {302}
    assert set(by_name["setup POST /login"]) == {302}
    member_pages = [n for n in by_name if n.startswith("member ")]
    assert member_pages and all(set(by_name[n]) == {200} for n in member_pages)
    result = runner.window(samples, runner.AUTH, 0)
    assert result.count == sum(by_name["auth POST /signup"].values()) + sum(
        by_name["auth POST /login"].values()
    )
    row = runner.Row("sign-up", "locust", "11 users", result, runner.AUTH_GOAL)
    printed = table([row])
    assert "sign-up" in printed.splitlines()[2]
    assert row.verdict() in {"ok", "MISSED"}


def test_paced_newcomers_sign_up_once_a_second_each(context) -> None:  # type: ignore[no-untyped-def]
    """ "pace:1" holds each newcomer to one sign-up + login a second (the auth scenario's
    steady rate); back to back, two users would sign up many times more."""
    samples = runner.run_locust(
        context, ["SignupLogin"], users=2, spawn_rate=2, seconds=4, think="pace:1", label="paced"
    )
    signups = [s for s in samples if s[1] == "auth POST /signup"]
    assert {status for *_, status in signups} == {302}
    assert 2 <= len(signups) <= 2 * 5, len(signups)


def test_profile_reference_reads_only_the_profile_page(context) -> None:  # type: ignore[no-untyped-def]
    samples = runner.run_locust(
        context, ["ProfilePage"], users=2, spawn_rate=2, seconds=3, label="profile"
    )
    measured = Counter((name, status) for _t, name, _ms, status in samples)
    assert measured.pop(("member GET /me/profile", 200), 0) > 0
    assert {name for name, _ in measured} <= {"setup GET /login", "setup POST /login"}, measured
