"""Celery bound to the Flask app, as in Flask's own Celery example.

Every task runs inside an app context, so tasks can use the database session like views do.
A task whose worker died is redelivered (acks late; the broker marks it "redelivered"); each
such start is counted (`services.quarantine`), so a task that keeps killing its worker runs
only a bounded number of times, then is quarantined instead of looping forever. First
deliveries cost nothing extra.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app from `app.config["CELERY"]` and store it as an extension."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                from webapp.services import quarantine

                redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
                task_id = self.request.id if redelivered else None
                if task_id and not quarantine.begin(task_id, self.name, args, kwargs):
                    return None
                try:
                    return self.run(*args, **kwargs)
                finally:
                    if task_id:
                        quarantine.finish(task_id)

    settings = dict(app.config["CELERY"])
    from worker.schedule import beat_schedule

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({k: v for k, v in settings.items() if not k.endswith("_seconds")})
    celery_app.conf.beat_schedule = beat_schedule(settings)
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
