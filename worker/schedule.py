"""Periodic tasks run by `celery beat`; each names its task explicitly.

The periods come from the `CELERY` settings (`OUTBOX_SWEEP_SECONDS` and friends in the
environment), so tests can run the sweeper every second instead of every minute.
"""

from __future__ import annotations

from typing import Any


def beat_schedule(settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The beat schedule for the given CELERY settings."""
    return {
        "match-due-meetups": {
            "task": "hearth.match_due_meetups",
            "schedule": float(settings.get("match_due_seconds", 60.0)),
        },
        "sweep-outbox": {
            "task": "hearth.sweep_outbox",
            "schedule": float(settings.get("sweep_outbox_seconds", 60.0)),
        },
        "send-due-notifications": {
            "task": "hearth.send_due_notifications",
            "schedule": float(settings.get("notifications_seconds", 300.0)),
        },
        "refresh-dashboards": {
            "task": "hearth.refresh_dashboards",
            "schedule": float(settings.get("dashboard_seconds", 600.0)),
        },
        "train-compat-models": {
            "task": "hearth.train_compat_models",
            "schedule": float(settings.get("compat_train_seconds", 3600.0)),
        },
    }


#: The schedule with default periods, for readers and tools that want a plain mapping.
BEAT_SCHEDULE = beat_schedule({})
