"""Counting task starts: past the bound a task is quarantined; a finished task is forgotten."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.messages import TaskAttempt
from webapp.services import quarantine


def test_a_task_that_never_finishes_is_quarantined_after_the_bound(app):  # type: ignore[no-untyped-def]
    app.config["TASK_MAX_ATTEMPTS"] = 3
    starts = [quarantine.begin("t-1", "hearth.send_email", (7,)) for _ in range(4)]
    assert starts == [True, True, True, False]
    [row] = quarantine.quarantined()
    assert (row.task_id, row.attempts, row.arguments) == ("t-1", 4, '{"args": [7], "kwargs": {}}')
    quarantine.finish("t-1")
    assert quarantine.quarantined() == [row], "a quarantined task stays visible"
    assert quarantine.begin("t-1", "hearth.send_email") is False, "and stays set aside"


def test_a_finished_task_is_forgotten(app):  # type: ignore[no-untyped-def]
    assert quarantine.begin("t-2", "hearth.sweep_outbox") is True
    quarantine.finish("t-2")
    assert db.session.scalars(select(TaskAttempt)).all() == []
    assert quarantine.quarantined() == []
