"""Periodic tasks run by `celery beat`; each names its task explicitly."""

BEAT_SCHEDULE = {
    "match-due-meetups": {"task": "hearth.match_due_meetups", "schedule": 60.0},
    "sweep-outbox": {"task": "hearth.sweep_outbox", "schedule": 60.0},
}
