"""Separate queues keep mail flowing (issue 16): routing from one place, and real workers
showing that a long match does not hold up another community's match emails, while the
match reports its progress in order."""

from __future__ import annotations

import os

from sqlalchemy import select

from tests.services import wait_until
from tests.worker import factories
from tests.worker.scale_helpers import due_meetup
from webapp.config import TASK_QUEUES, queue_names
from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus
from webapp.models.messages import OutboxEmail, OutboxStatus
from webapp.services import emails, match_progress
from worker.schedule import BEAT_SCHEDULE


def test_every_task_is_routed_to_its_queue(app):  # type: ignore[no-untyped-def]
    import worker.sharding  # noqa: F401  (registers the tasks, as worker/app.py does)
    import worker.tasks  # noqa: F401

    celery = app.extensions["celery"]
    names = queue_names(os.environ["CELERY_QUEUE"])
    routed = {
        task: celery.amqp.router.route({}, task)["queue"].name for task in sorted(celery.tasks)
    }
    ours = {task: queue for task, queue in routed.items() if task.startswith("hearth.")}
    assert set(ours) == set(TASK_QUEUES), "every task of ours has a queue in TASK_QUEUES"
    assert {task: names[kind] for task, kind in TASK_QUEUES.items()} == ours
    assert ours["hearth.run_matching_round"] == names["matching"]
    assert ours["hearth.send_emails"] == names["email"]
    assert ours["hearth.send_due_notifications"] == names["notifications"]
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(TASK_QUEUES)
    assert set(celery.amqp.queues) == set(names.values()), "a worker without -Q takes all"
    limits = celery.tasks["hearth.run_matching_round"]
    assert (limits.soft_time_limit, limits.time_limit) == (
        app.config["MATCH_SOFT_TIME_LIMIT"],
        app.config["MATCH_HARD_TIME_LIMIT"],
    )


def test_a_long_match_does_not_delay_another_communitys_emails(app, celery_workers, smtp_server):  # type: ignore[no-untyped-def]
    from worker.tasks import run_matching_round

    whole_limit = {"MATCH_TIME_LIMIT": "4", "MATCH_SECONDS_PER_MEMBER": "0"}  # a long match
    worker, _ = celery_workers("matching", "email", env=whole_limit)
    slow = due_meetup("Long Match", 14, first=100)
    match_progress.mark(slow, match_progress.QUEUED)
    run_matching_round.delay(slow)
    seen: list[tuple[str, float | None, float | None]] = []

    def watch(state: str):  # type: ignore[no-untyped-def]
        def check() -> bool:
            row = match_progress.progress_of(slow)
            report = row and (row.state, row.best_score, row.seconds)
            if report and (not seen or seen[-1] != report):
                seen.append(report)
            return row is not None and row.state == state

        return check

    wait_until(watch("searching"), 30, "the long match to search")
    _, group, people = factories.published_round(size=4, name="Other Place")
    emails.queue_match_emails(group)
    db.session.commit()  # publishes the delivery task to the email queue

    def delivered() -> bool:
        statuses = db.session.scalars(select(OutboxEmail.status).where(OutboxEmail.kind == "match"))
        return len(smtp_server.messages) == len(people) and set(statuses) == {OutboxStatus.SENT}

    took = wait_until(delivered, 10, "the other community's emails")
    row = match_progress.progress_of(slow)
    assert row.state == "searching", "the emails went out while the match was still running"
    assert took < 3, f"match emails took {took:.1f}s behind a long match"

    wait_until(watch("done"), 30, "the long match to finish")
    assert db.session.get(Meetup, slow).status == MeetupStatus.PREVIEWED
    states = [state for state, _, _ in seen]
    order = [match_progress.STATES.index(state) for state in states]
    assert order == sorted(order), f"states went backwards: {states}"
    assert {"queued", "searching", "done"} <= set(states)
    reports = [(s, t) for state, s, t in seen if state == "searching" and s is not None]
    assert len(reports) >= 2, "the search reported as it went"
    assert reports == sorted(reports), "best score and seconds only grow"
    assert seen[-1][1] > 0, "done, with the result's score"
    logged = [
        line.split(" match: ")[1].split()[0]
        for line in worker.log_path.read_text().splitlines()
        if f"meetup {slow} match: " in line
    ]
    assert logged == ["building", "searching", "storing", "done"], "every step, in order"
