"""A task that kills its worker every time is quarantined; the other tasks still run."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.reliability.conftest import wait_until
from webapp.extensions import db
from webapp.models.messages import OutboxEmail, OutboxStatus, TaskAttempt
from webapp.services import emails, quarantine


def test_a_task_that_always_crashes_its_worker_is_quarantined(app, processes, smtp):  # type: ignore[no-untyped-def]
    worker = processes.worker("prefork", "--include", "tests.reliability.poison")
    app.extensions["celery"].send_task("hearth.test.crash_worker")
    for n in range(6):
        emails.queue(kind="test", to_address=f"p{n}@example.org", subject="Hi", body_text="Hi")
    db.session.commit()
    wait_until(lambda: quarantine.quarantined(), 60, "the crashing task to be quarantined")
    [poisoned] = quarantine.quarantined()
    assert poisoned.task_name == "hearth.test.crash_worker"
    # the first delivery, three redelivered starts (TASK_MAX_ATTEMPTS), the fourth set aside
    assert poisoned.attempts == 4
    wait_until(
        lambda: (
            db.session.scalar(select(func.count()).where(OutboxEmail.status == OutboxStatus.SENT))
            == 6
        ),
        30,
        "the other tasks",
    )
    assert len(smtp.messages) == 6
    assert worker.poll() is None, "the worker itself is still running"
    log = worker.log_path.read_text()
    assert "WorkerLostError" in log, "it really killed its worker process"
    assert db.session.scalar(select(func.count()).select_from(TaskAttempt)) == 1
