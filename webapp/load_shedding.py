"""Shed a request that waited too long for a server thread: a 503 at once, not a slow page.

Under more load than the machine can serve, requests queue inside the web server, and a
queue that only grows turns every page into a timeout (issue 8: at twice the goal rate the
app must shed with 429/503). The server, or a proxy in front of it, stamps each request
with the time it was queued (`X-Request-Start`, the header nginx, Heroku and others use:
`t=<seconds>` or plain milliseconds or microseconds since the epoch); a request that waited
more than `QUEUE_TIMEOUT` seconds (default 0.5, 0 turns this off) is answered 503 with
Retry-After before it touches the database or loads the member. gunicorn stamps requests
with `webapp.gunicorn_worker.StampingThreadWorker` (gunicorn.conf.py); under the Flask
development server nothing stamps them and nothing is shed.

A client that sends the header itself, past any proxy, can only get its own request shed
(an old time) or treated as though nothing stamped it (a future time).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, request

from webapp.errors import busy_page

log = logging.getLogger(__name__)

HEADER = "X-Request-Start"


def queued_at(value: str | None) -> float | None:
    """Seconds since the epoch from an X-Request-Start value, or None if it is not one.

    The unit follows from the size: seconds (nginx's `t=${msec}`), milliseconds (Heroku)
    or microseconds (Apache's `t=%t`).
    """
    if not value:
        return None
    number = value.strip().removeprefix("t=")
    try:
        stamp = float(number)
    except ValueError:
        return None
    if not 0 < stamp < float("inf"):
        return None
    if stamp > 1e14:
        return stamp / 1e6
    if stamp > 1e11:
        return stamp / 1e3
    return stamp


def init_app(app: Flask) -> None:
    """Register the check; call it before any other before_request hook is registered."""

    @app.before_request
    def shed_requests_that_queued_too_long() -> tuple[str, int, dict[str, str]] | None:
        limit = app.config["QUEUE_TIMEOUT"]
        start = queued_at(request.headers.get(HEADER)) if limit else None
        if start is None:
            return None
        waited = time.time() - start
        if waited <= limit:
            return None
        log.warning("request shed: it waited %.0f ms for a server thread", waited * 1000)
        return busy_page()
