"""The deadline bench (issue 16) on 6 small communities, end to end: its own PostgreSQL
database and redis-server, two matching workers, a delivery worker and beat as real
subprocesses, a matching worker killed with SIGKILL half-way and restarted, and the
verdict's logic on made-up deliveries (a lost email, a second Message-ID, a re-send)."""

from __future__ import annotations

import os
import shutil

import pytest

from bench import deadline
from tests.conftest import REQUIRE_SERVICES


def test_sizes_are_fixed_within_the_range_and_add_up():  # type: ignore[no-untyped-def]
    sizes = deadline.community_sizes(2000)
    assert sizes == deadline.community_sizes(2000), "the same every run"
    assert sum(sizes) == 300_000
    assert min(sizes) >= 50 and max(sizes) <= 300
    assert sorted(sizes)[1000] < 150, "many small communities, few large"


def test_the_verdict_finds_lost_repeated_and_doubled_emails():  # type: ignore[no-untyped-def]
    rows = {
        "<outbox-1@x>": ("a@x", 1),
        "<outbox-2@x>": ("b@x", 1),
        "<outbox-3@x>": ("b@x", 1),  # a second row for the same member and meetup
        "<outbox-4@x>": ("d@x", 2),
    }
    expected = {("a@x", 1), ("b@x", 1), ("c@x", 1), ("d@x", 2)}
    arrivals = [
        ("<outbox-1@x>", ("a@x",), 1.0),
        ("<outbox-1@x>", ("a@x",), 2.0),  # re-sent after a crash: same Message-ID
        ("<outbox-2@x>", ("b@x",), 3.0),
        ("<outbox-3@x>", ("b@x",), 4.0),
        ("<outbox-4@x>", ("d@x",), 5.0),
        ("<reset-9@x>", ("z@x",), 9.0),  # not a match email: ignored
    ]
    verdict = deadline.judge({1: 1, 2: 2, 3: 0}, expected, arrivals, rows)
    assert (verdict.stored_once, verdict.stored_twice, verdict.not_stored) == (1, 1, 1)
    assert (verdict.expected_emails, verdict.delivered_emails, verdict.lost) == (4, 3, 1)
    assert (verdict.same_id_repeats, verdict.different_ids) == (1, 1)
    assert verdict.last_arrival == 5.0
    assert not verdict.ok
    clean = deadline.judge(
        {1: 1, 2: 1}, {("a@x", 1), ("d@x", 2)}, [arrivals[0], arrivals[1], arrivals[4]], rows
    )
    assert clean.ok, "a re-send with the same Message-ID is allowed"
    assert clean.same_id_repeats == 1


def test_the_bench_runs_end_to_end_with_a_worker_killed_half_way():  # type: ignore[no-untyped-def]
    admin = os.environ.get("TEST_DATABASE_URL", "")
    if not admin.startswith("postgresql") or not shutil.which("redis-server"):
        if REQUIRE_SERVICES:
            pytest.fail("the deadline bench needs PostgreSQL and redis-server")
        pytest.skip("the deadline bench needs PostgreSQL and redis-server")
    sizes = deadline.community_sizes(6, low=8, high=20, mean=12)
    outcome = deadline.run_bench(
        sizes,
        kill=True,
        admin_url=admin,
        database=f"hearth_test_deadline_{os.getpid()}",
        # Ticks every 2 s, and a lost task comes back after 8 s instead of 5 minutes.
        settings={
            "MATCH_DUE_SECONDS": "2",
            "MATCH_CLAIM_SECONDS": "8",
            "CELERY_VISIBILITY_TIMEOUT": "8",
            "MATCH_TIME_LIMIT": "0.3",
        },
        timeout=150,
        restart_after=2,
    )
    run, verdict = outcome.run, outcome.verdict
    assert not run.timed_out
    assert run.killed_at and run.restarted_at > run.killed_at
    assert verdict.meetups == verdict.stored_once == 6
    assert verdict.expected_emails > sum(sizes) // 2, "most members placed"
    assert verdict.delivered_emails == verdict.expected_emails and verdict.lost == 0
    assert verdict.different_ids == 0 and verdict.unexpected == 0
    assert verdict.ok
    assert outcome.reset_delays and outcome.resets_lost == 0
    table = dict(deadline.report(outcome))
    assert table["verdict"].startswith("OK")
    assert "restarted" in table["fault: SIGKILL of one matching worker"]


def test_the_autovacuum_stand_in_vacuums_and_analyzes_the_filled_tables(  # type: ignore[no-untyped-def]
    app, database_url, monkeypatch
):
    from sqlalchemy import text

    from webapp.extensions import db

    if not database_url.startswith("postgresql"):
        pytest.skip("autovacuum is PostgreSQL's")
    assert deadline.AutovacuumStandIn.needed(database_url) == (
        db.session.scalar(text("SHOW autovacuum")) == "off"
    )
    monkeypatch.setattr(deadline, "AUTOVACUUM_EVERY", 0.05)
    stand_in = deadline.AutovacuumStandIn(database_url)
    stand_in.start()
    try:
        for _ in range(200):
            if stand_in.rounds:
                break
            stand_in.stopping.wait(0.05)
    finally:
        stand_in.stop()
    assert stand_in.rounds >= 1 and not stand_in.is_alive()
    db.session.rollback()
    done = db.session.execute(
        text(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL "
            "AND last_analyze IS NOT NULL"
        )
    ).scalars()
    assert set(deadline.FILLED_TABLES) <= set(done)
