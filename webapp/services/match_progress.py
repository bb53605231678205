"""Where a meetup's matching run has got to, for the organizer's page and the scheduler.

States, in order: queued (a task was published), building (reading opt-ins and history),
searching (the engine runs; best score so far), storing (writing the preview), then done
or failed. Each write is a short transaction on a connection of its own, so the page sees
it while the run's own transaction is still open, and a rollback of the run (a soft time
limit) cannot take it back. Stored in the database (`MatchProgress`), which the web
process reads in every setup: the embedded SQLite one and PostgreSQL with Redis alike.
Searching reports are throttled by the engine (`worker.matching.progress`), so a run
writes a few rows a second at most.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.extensions import db
from webapp.models._time import utcnow
from webapp.models.meetups import MatchProgress
from webapp.templating import format_number

log = logging.getLogger(__name__)

QUEUED, BUILDING, SEARCHING, STORING, DONE, FAILED = (
    "queued",
    "building",
    "searching",
    "storing",
    "done",
    "failed",
)
#: Every state in the order a run goes through them.
STATES = (QUEUED, BUILDING, SEARCHING, STORING, DONE, FAILED)
#: A run in one of these is waiting or running: the meetup is claimed.
ACTIVE = (QUEUED, BUILDING, SEARCHING, STORING)

#: What each state is called on the page and in its JSON (translated when shown, so
#: static/match_progress.js only copies the server's words).
LABELS = {
    QUEUED: _l("Waiting for a matching worker"),
    BUILDING: _l("Reading opt-ins and history"),
    SEARCHING: _l("Searching for the best groups"),
    STORING: _l("Storing the preview"),
    DONE: _l("Done"),
    FAILED: _l("Stopped"),
}


def mark(
    meetup_id: int,
    state: str,
    *,
    best_score: float | None = None,
    seconds: float | None = None,
    limit: float | None = None,
    message: str = "",
    quiet: bool = False,
) -> None:
    """Record that the meetup's run is now in `state` (committed at once, on its own);
    logged unless `quiet` (the engine's searching reports come several a second)."""
    values = {
        "meetup_id": meetup_id,
        "state": state,
        "best_score": best_score,
        "seconds": seconds,
        "limit_seconds": limit,
        "message": message[:200],
        "updated_at": utcnow(),
    }
    with db.engine.begin() as conn:
        conn.execute(_upsert(conn.dialect.name, [values]))
    if not quiet:
        log.info("meetup %s match: %s%s", meetup_id, state, f" ({message})" if message else "")


def waiting() -> int:
    """How many meetups are queued for a matching worker that has not started them."""
    return db.session.scalar(
        select(func.count()).select_from(MatchProgress).where(MatchProgress.state == QUEUED)
    )


def claim(meetup_ids: Iterable[int]) -> None:
    """Mark these meetups queued in one statement (the scheduler's claim on them)."""
    now = utcnow()
    rows = [
        {
            "meetup_id": m,
            "state": QUEUED,
            "best_score": None,
            "seconds": None,
            "limit_seconds": None,
            "message": "",
            "updated_at": now,
        }
        for m in meetup_ids
    ]
    if rows:
        with db.engine.begin() as conn:
            conn.execute(_upsert(conn.dialect.name, rows))


def release(meetup_ids: Iterable[int]) -> None:
    """Drop the claims of meetups whose task could not be published after all."""
    ids = list(meetup_ids)
    if ids:
        with db.engine.begin() as conn:
            conn.execute(
                delete(MatchProgress).where(
                    MatchProgress.meetup_id.in_(ids), MatchProgress.state == QUEUED
                )
            )


def searching(meetup_id: int, limit: float | None):  # type: ignore[no-untyped-def]
    """The engine's progress callback for this meetup: each report becomes a row update."""

    def report(phase: str, score: float, seconds: float) -> None:
        mark(meetup_id, SEARCHING, best_score=score, seconds=seconds, limit=limit, quiet=True)

    return report


def claim_cutoff():  # type: ignore[no-untyped-def]
    """Active rows last updated before this are stale: their run died or its task was lost."""
    return utcnow() - timedelta(seconds=current_app.config["MATCH_CLAIM_SECONDS"])


def progress_of(meetup_id: int) -> MatchProgress | None:
    """The meetup's latest run, read fresh (not from the session's identity map)."""
    return db.session.scalars(
        select(MatchProgress)
        .where(MatchProgress.meetup_id == meetup_id)
        .execution_options(populate_existing=True)
    ).one_or_none()


def view(row: MatchProgress | None) -> dict | None:
    """Plain values for the page and its JSON: state, label, score, percent, stalled."""
    if row is None:
        return None
    stalled = row.state in ACTIVE and row.updated_at < claim_cutoff()
    percent = None
    if row.state == SEARCHING and row.seconds is not None and row.limit_seconds:
        percent = max(0, min(99, round(100 * row.seconds / row.limit_seconds)))
    elif row.state in (STORING, DONE):
        percent = 100
    label = str(LABELS.get(row.state, row.state))
    if row.state == SEARCHING and row.best_score is not None:
        label = gettext(
            "%(state)s: best score %(score)s so far",
            state=label,
            score=format_number(row.best_score, 2),
        )
    if row.state == FAILED and row.message:  # a technical detail (an exception's name)
        label += f": {row.message}"
    if stalled:
        label = gettext("No news from the matching worker; it runs again at the next scheduled run")
    return {
        "state": row.state,
        "label": label,
        "best_score": row.best_score,
        "seconds": row.seconds,
        "limit_seconds": row.limit_seconds,
        "percent": percent,
        "active": row.state in ACTIVE and not stalled,
        "stalled": stalled,
        "updated_at": row.updated_at.isoformat() + "Z",
    }


def _upsert(dialect: str, rows: list[dict]):  # type: ignore[no-untyped-def]
    """INSERT ... ON CONFLICT (meetup_id) DO UPDATE, in SQLite's or PostgreSQL's words."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(MatchProgress).values(rows)
    changed = {c: statement.excluded[c] for c in rows[0] if c != "meetup_id"}
    return statement.on_conflict_do_update(index_elements=["meetup_id"], set_=changed)
