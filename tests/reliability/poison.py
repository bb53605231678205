"""A task that kills the worker process running it, every time (loaded with --include)."""

import os

from celery import shared_task


@shared_task(name="hearth.test.crash_worker")
def crash_worker() -> None:
    """Die the hardest way a task can: no exception, no cleanup, no acknowledgement."""
    os._exit(1)
