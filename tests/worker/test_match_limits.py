"""The matching task's time limits (issue 16): at the soft limit a run ends cleanly, the
meetup stays open for the next scheduled run, and nothing of the run is written."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.services import wait_until
from tests.worker.scale_helpers import due_meetup
from webapp.extensions import db
from webapp.models import AuditEntry, Group, Meetup, MeetupStatus
from webapp.services import match_progress


def test_a_match_past_its_soft_time_limit_leaves_the_meetup_open(app, celery_workers):  # type: ignore[no-untyped-def]
    from worker.tasks import run_matching_round

    [worker] = celery_workers("matching", pool="prefork", env={"MATCH_TIME_LIMIT": "6"})
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
