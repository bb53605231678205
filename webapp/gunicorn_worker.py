"""gunicorn's threaded worker, stamping each request with the time it was queued.

gthread hands every request that is ready to be read to a thread pool whose queue has no
bound. This worker notes when a request entered that queue and passes it on as the
`X-Request-Start` header (replacing any the client sent), so the app can shed a request
that waited too long for a thread (webapp/load_shedding.py) instead of serving it late.
gunicorn.conf.py selects it; it is loaded only by gunicorn.
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

_HEADER = "X-REQUEST-START"  # gunicorn keeps header names in upper case


class StampingThreadWorker(ThreadWorker):
    """ThreadWorker whose requests carry `X-Request-Start: t=<seconds since the epoch>`."""

    def enqueue_req(self, conn: Any) -> None:
        conn.hearth_queued_at = time.time()
        super().enqueue_req(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        queued = getattr(conn, "hearth_queued_at", None)
        if queued is not None:
            req.headers = [(name, value) for name, value in req.headers if name != _HEADER]
            req.headers.append((_HEADER, f"t={queued:.6f}"))
        return super().handle_request(req, conn)
