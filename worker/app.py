"""Celery entry point: `celery -A worker.app worker` and `celery -A worker.app beat`."""

from webapp import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]

import worker.sharding  # noqa: E402,F401  (registers the shard task)
import worker.tasks  # noqa: E402,F401  (registers the tasks)
