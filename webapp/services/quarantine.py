"""Bounding how often a task may start: a task that keeps killing its worker is quarantined.

With `task_acks_late` and `task_reject_on_worker_lost`, a task whose worker dies is
delivered again; one that crashes the worker every time would loop forever and starve the
others. Each start of a broker-delivered task is counted in its own committed transaction
(before the task's work); past `TASK_MAX_ATTEMPTS` the task is recorded as quarantined and
acknowledged without running. A task that finishes (or raises) forgets its count.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models._time import utcnow
from webapp.models.messages import TaskAttempt

log = logging.getLogger(__name__)


def begin(task_id: str, task_name: str, args: Any = (), kwargs: Any = None) -> bool:
    """Count one start of a task; False (and quarantined) when it started too often."""
    attempts = _increment(task_id, task_name, args, kwargs)
    limit = current_app.config["TASK_MAX_ATTEMPTS"]
    if attempts <= limit:
        return True
    db.session.execute(
        update(TaskAttempt)
        .where(TaskAttempt.task_id == task_id, TaskAttempt.quarantined_at.is_(None))
        .values(quarantined_at=utcnow())
    )
    db.session.commit()
    log.error(
        "task %s (%s) quarantined after %s starts without finishing", task_name, task_id, limit
    )
    return False


def _increment(task_id: str, task_name: str, args: Any, kwargs: Any) -> int:
    """Add one to the task's start count (creating it) and return the new count."""
    db.session.rollback()  # start from a clean transaction whatever the task left
    for _ in range(2):
        count = db.session.execute(
            update(TaskAttempt)
            .where(TaskAttempt.task_id == task_id)
            .values(attempts=TaskAttempt.attempts + 1)
            .returning(TaskAttempt.attempts)
        ).scalar_one_or_none()
        if count is not None:
            db.session.commit()
            return count
        try:
            arguments = json.dumps({"args": list(args or ()), "kwargs": kwargs or {}})[:2000]
            db.session.add(
                TaskAttempt(task_id=task_id, task_name=task_name, arguments=arguments, attempts=1)
            )
            db.session.commit()
            return 1
        except IntegrityError:  # the same task started twice at once; count again
            db.session.rollback()
    raise RuntimeError(f"could not count the start of task {task_id}")


def finish(task_id: str) -> None:
    """Forget a task that ran to its end (it will not loop)."""
    db.session.rollback()
    db.session.execute(
        delete(TaskAttempt).where(
            TaskAttempt.task_id == task_id, TaskAttempt.quarantined_at.is_(None)
        )
    )
    db.session.commit()


def quarantined() -> list[TaskAttempt]:
    """Tasks that were set aside, newest first, for operators and organizers to look at."""
    return list(
        db.session.scalars(
            select(TaskAttempt)
            .where(TaskAttempt.quarantined_at.is_not(None))
            .order_by(TaskAttempt.quarantined_at.desc())
        )
    )
