"""The matching task's time limits (issue 16): at the soft limit a run ends cleanly, the
meetup stays open for the next scheduled run, and nothing of the run is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.services import wait_until
from tests.worker.scale_helpers import due_meetup
from webapp.extensions import db
from webapp.models import AuditEntry, Group, Meetup, MeetupStatus
from webapp.services import match_progress


def test_a_match_past_its_soft_time_limit_leaves_the_meetup_open(app, celery_workers):  # type: ignore[no-untyped-def]
    from worker.tasks import run_matching_round

    whole_limit = {"MATCH_TIME_LIMIT": "6", "MATCH_SECONDS_PER_MEMBER": "0"}
    [worker] = celery_workers("matching", pool="prefork", env=whole_limit)
    slow = due_meetup("Slow Place", 14, auto=True)
    # The limits travel with the message, from the publisher's MATCH_*_TIME_LIMIT settings
    # (here the in-test app's defaults, so they are given as the web app would send them).
    run_matching_round.apply_async((slow,), soft_time_limit=1, time_limit=4)
    wait_until(
        lambda: (row := match_progress.progress_of(slow)) is not None and row.state == "failed",
        20,
        "the run to stop at the soft limit",
    )
    row = match_progress.progress_of(slow)
    assert "time limit" in row.message
    assert db.session.get(Meetup, slow).status == MeetupStatus.OPEN, "open for the next run"
    assert db.session.scalar(select(func.count(Group.id))) == 0, "no groups half-written"
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
    log = worker.log_path.read_text()
    assert f"meetup {slow}: matching hit the soft time limit; left open" in log
    assert "TimeLimitExceeded" not in log.replace("SoftTimeLimitExceeded", ""), "not killed"


def recorded_limits(monkeypatch) -> list[float]:  # type: ignore[no-untyped-def]
    """The time limit of each search from now on (each then searches 0.05 s only)."""
    from webapp.services import matching

    limits: list[float] = []
    real_solve = matching.solve

    def recording_solve(instance, **kwargs):  # type: ignore[no-untyped-def]
        limits.append(kwargs["time_limit"])
        return real_solve(instance, **{**kwargs, "time_limit": 0.05})

    monkeypatch.setattr(matching, "solve", recording_solve)
    return limits


def test_search_time_scales_with_the_meetup_up_to_the_limit(app):  # type: ignore[no-untyped-def]
    from webapp.services.matching import MIN_SEARCH_SECONDS, search_seconds

    app.config.update(MATCH_TIME_LIMIT=5.0, MATCH_SECONDS_PER_MEMBER=0.005)
    assert search_seconds(10) == MIN_SEARCH_SECONDS
    assert search_seconds(50) == MIN_SEARCH_SECONDS
    assert search_seconds(200) == pytest.approx(1.0)
    assert search_seconds(300) == pytest.approx(1.5)
    assert search_seconds(5000) == 5.0, "never more than MATCH_TIME_LIMIT"
    app.config["MATCH_TIME_LIMIT"] = 0.1
    assert search_seconds(50) == 0.1, "a shorter limit wins over the minimum"
    app.config.update(MATCH_TIME_LIMIT=5.0, MATCH_SECONDS_PER_MEMBER=0)
    assert search_seconds(50) == 5.0, "0 per member: every match gets the whole limit"


def test_a_run_searches_for_its_scaled_time_and_reports_it(app, monkeypatch):  # type: ignore[no-untyped-def]
    from webapp.services import match_runs

    app.config.update(MATCH_TIME_LIMIT=5.0, MATCH_SECONDS_PER_MEMBER=0.002)
    meetup_id = due_meetup("Sized Place", 250)
    limits = recorded_limits(monkeypatch)
    match_runs.run(meetup_id)
    assert limits == [pytest.approx(0.5)], "250 members x 2 ms"
    row = match_progress.progress_of(meetup_id)
    assert (row.state, row.limit_seconds) == ("done", pytest.approx(0.5))
    assert db.session.get(Meetup, meetup_id).status == MeetupStatus.PREVIEWED


def test_a_rush_of_waiting_meetups_shortens_each_search(app, monkeypatch):  # type: ignore[no-untyped-def]
    # At least MATCH_RUSH_QUEUED meetups queued and not started: each search takes
    # MATCH_RUSH_SECONDS_PER_MEMBER per member instead (still within the minimum and the
    # limit); the run records the limit it searched with.
    from webapp.services import match_runs
    from webapp.services.matching import MIN_SEARCH_SECONDS, in_rush, search_seconds

    app.config.update(
        MATCH_TIME_LIMIT=5.0,
        MATCH_SECONDS_PER_MEMBER=0.004,
        MATCH_RUSH_SECONDS_PER_MEMBER=0.001,
        MATCH_RUSH_QUEUED=2,
    )
    assert search_seconds(300, rush=True) == pytest.approx(0.3)
    assert search_seconds(100, rush=True) == MIN_SEARCH_SECONDS
    meetup_id = due_meetup("Rush Place", 300)
    others = [due_meetup(f"Other {n}", 3, first=1000 + 10 * n) for n in range(2)]
    match_progress.claim(others[:1])
    assert match_progress.waiting() == 1 and not in_rush()
    match_progress.claim(others)
    assert match_progress.waiting() == 2 and in_rush()
    app.config["MATCH_RUSH_QUEUED"] = 0
    assert not in_rush(), "0 switches the rush off"
    app.config["MATCH_RUSH_QUEUED"] = 2

    limits = recorded_limits(monkeypatch)
    match_runs.run(meetup_id)
    assert limits == [pytest.approx(0.3)], "300 members x 1 ms during the rush"
    assert match_progress.progress_of(meetup_id).limit_seconds == pytest.approx(0.3)
    match_progress.release(others)
    assert not in_rush()
    match_runs.run(others[0])
    assert limits[1] == MIN_SEARCH_SECONDS, "3 members x 4 ms, raised to the minimum"
