"""Queue-time shedding (webapp/load_shedding.py): a request stamped as queued longer than
QUEUE_TIMEOUT is answered 503 with Retry-After before it reaches the database; others, and
requests nobody stamped, are served. (tests/bench/test_load_shedding.py runs it under
gunicorn, whose worker does the stamping.)"""

from __future__ import annotations

import time

import pytest

from webapp.load_shedding import HEADER, queued_at


def test_stamps_in_seconds_milliseconds_and_microseconds_are_read() -> None:
    now = 1_800_000_000.25
    assert queued_at(f"t={now}") == pytest.approx(now)
    assert queued_at(str(int(now * 1e3))) == pytest.approx(now, abs=1e-3)
    assert queued_at(f"t={int(now * 1e6)}") == pytest.approx(now, abs=1e-6)
    for junk in (None, "", "t=", "soon", "t=nan", "t=-5", "t=inf", "0"):
        assert queued_at(junk) is None, junk


def test_a_request_that_queued_too_long_is_shed_without_touching_the_database(
    app, client, sql_log
) -> None:  # type: ignore[no-untyped-def]
    app.config["QUEUE_TIMEOUT"] = 0.5
    late = client.get("/communities", headers={HEADER: f"t={time.time() - 2:.6f}"})
    assert late.status_code == 503
    assert late.headers["Retry-After"].isdigit()
    assert "very busy" in late.get_data(as_text=True)
    assert "frame-ancestors 'none'" in late.headers["Content-Security-Policy"]
    assert sql_log == [], "a shed request must not use the database"

    prompt = client.get("/communities", headers={HEADER: f"t={time.time() - 0.1:.6f}"})
    assert prompt.status_code == 200
    assert sql_log, "the page reads the database"


def test_unstamped_or_garbled_requests_and_a_zero_limit_are_served(app, client) -> None:  # type: ignore[no-untyped-def]
    app.config["QUEUE_TIMEOUT"] = 0.5
    assert client.get("/communities").status_code == 200
    assert client.get("/communities", headers={HEADER: "t=yesterday"}).status_code == 200
    app.config["QUEUE_TIMEOUT"] = 0
    old = f"t={time.time() - 60:.6f}"
    assert client.get("/communities", headers={HEADER: old}).status_code == 200
