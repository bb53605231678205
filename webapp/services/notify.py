"""Handing committed outbox rows to the worker, after the commit that wrote them.

When the email pipeline's `delivery_queue` is installed it already publishes every
committed outbox row after commit, so this does nothing more. A broker hiccup never fails
the request: the row is committed, and the periodic sweeper queues every pending row.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

_PIPELINE_PUBLISHES = importlib.util.find_spec("webapp.services.delivery_queue") is not None


def send_after_commit(email_ids: Iterable[int]) -> None:
    """Queue delivery of these (committed) outbox rows; log and move on if the broker is down."""
    if _PIPELINE_PUBLISHES:
        return
    from worker.tasks import send_email

    for email_id in email_ids:
        try:
            send_email.delay(email_id)
        except Exception as exc:  # noqa: BLE001 (the sweeper delivers it later)
            log.warning("email %s left for the sweeper (%s)", email_id, type(exc).__name__)
