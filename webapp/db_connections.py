"""How the web app's requests use their database connections: fewer round trips per page.

Each round trip to PostgreSQL costs both processes CPU time, and on a small machine that is
what limits the member pages under load (issue 8, `python -m bench.load`). Two of them used
to come with every request and carry nothing:

- **Reads without a transaction.** A safe request (GET, HEAD, OPTIONS; they never change
  state, which tests/web/security checks) runs its queries in autocommit mode, so psycopg
  sends no BEGIN before them and no ROLLBACK when the connection goes back to the pool.
  PostgreSQL's default READ COMMITTED level gives every statement its own snapshot even
  inside a transaction, so the page reads exactly what it read before. Requests that may
  write (POST and the rest), the Celery worker and the CLI keep ordinary transactions.
- **Liveness checks only after idleness.** A pooled connection is pinged before reuse only
  when it sat unused for more than `PING_AFTER_IDLE` seconds (SQLAlchemy's `pool_pre_ping`
  pings on every checkout). A connection that is found dead is replaced before the request
  uses it. One used within the last second is trusted: if the server restarts under
  traffic, the request that meets the dead connection fails with the generic error page,
  and SQLAlchemy then discards the rest of that pool.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from flask import has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

#: Methods that never change state: their queries run in autocommit mode.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Seconds a pooled connection may sit unused before it is pinged on its next checkout.
PING_AFTER_IDLE = 1.0

_LAST_USED = "hearth_last_used"
_autocommit_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def autocommit_engine(engine: Engine) -> Engine:
    """`engine` in autocommit mode (same pool and connections), made once per engine."""
    found = _autocommit_engines.get(engine)
    if found is None:
        found = _autocommit_engines[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


def _reading_request() -> bool:
    return has_request_context() and request.method in SAFE_METHODS


class RequestSession(Session):
    """Flask-SQLAlchemy's session, which reads without a transaction in safe requests."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if isinstance(bind, Engine) and _reading_request():
            return autocommit_engine(bind)
        return bind


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before reuse only when it was idle over PING_AFTER_IDLE."""

    @event.listens_for(engine, "checkin")
    def _note_use(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is None or time.monotonic() - last <= PING_AFTER_IDLE:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # the pool discards this connection and checks out (or opens) another
            raise DisconnectionError(f"pooled connection is dead: {error}") from error
