"""``python -m bench.notification_tick [--communities N] [--runs R]``.

What one periodic notification run (`notifications.queue_due`, every few minutes on the
delivery worker) costs after a deadline hour published every community's meetup: the
deadline rush's people (`bench.deadline.seed`: N communities of 30-600 members, mean 150)
seated in groups of four at the first slot, meetups published, and the run timed at a
moment when every first slot lies within the reminder lead but no notice is due yet (the
state the 2,000-community rush stays in for two days). Prints a table: meetups, groups,
seconds per run (median of R), SQL statements per run, notices queued (0 expected).

Needs PostgreSQL (``--admin-url``, default the test server); creates and drops its own
database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.deadline import community_sizes, fresh_database, print_table, seed
from bench.email_throughput import drop_database

DATABASE = "hearth_bench_notification_tick"
GROUP_SIZE = 4
EARLY = timedelta(hours=40)  # before the first slot: within the 2-day lead, nothing due


def seat(meetups: int) -> tuple[int, int]:
    """Seat each meetup's opted-in members in groups of GROUP_SIZE at its first slot and
    publish it; returns (groups, seats). Needs an app context."""
    from webapp.extensions import db

    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 (naive UTC, as the models)
    raw = db.engine.raw_connection()
    groups = seats = 0
    try:
        cur = raw.cursor()
        cur.execute("SELECT meetup_id, member_id FROM optins ORDER BY meetup_id, member_id")
        by_meetup: dict[int, list[int]] = {}
        for meetup_id, member_id in cur.fetchall():
            by_meetup.setdefault(meetup_id, []).append(member_id)
        group_rows, seat_rows = [], []
        for meetup_id, people in by_meetup.items():
            for start in range(0, len(people) - GROUP_SIZE + 1, GROUP_SIZE):
                groups += 1
                group_rows.append((groups, meetup_id, 2 * meetup_id - 1, 1.0, "[]", now))
                for member_id in people[start : start + GROUP_SIZE]:
                    seats += 1
                    seat_rows.append((seats, groups, meetup_id, member_id, "pending", False))
        with cur.copy(
            "COPY groups (id, meetup_id, slot_id, score, why, created_at) FROM STDIN"
        ) as out:
            for row in group_rows:
                out.write_row(row)
        columns = "id, group_id, meetup_id, member_id, rsvp, from_standby"
        with cur.copy(f"COPY group_members ({columns}) FROM STDIN") as out:
            for row in seat_rows:
                out.write_row(row)
        # members left over by the groups of four are no longer opted in
        cur.execute(
            "DELETE FROM optins o WHERE NOT EXISTS (SELECT 1 FROM group_members g "
            "WHERE g.meetup_id = o.meetup_id AND g.member_id = o.member_id)"
        )
        cur.execute("UPDATE meetups SET status = 'matched'")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    assert len(by_meetup) == meetups
    return groups, seats


def time_runs(runs: int) -> tuple[float, int, int]:
    """Median seconds, statements and notices of ``runs`` runs. Needs an app context."""
    from sqlalchemy import event, func, select

    from webapp.extensions import db
    from webapp.models import MeetupSlot
    from webapp.services import notifications

    now = db.session.scalar(select(func.min(MeetupSlot.starts_at))) - EARLY
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    seconds, queued = [], 0
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            db.session.expire_all()
            statements = 0
            start = time.perf_counter()
            queued += notifications.queue_due(now)
            seconds.append(time.perf_counter() - start)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(seconds), statements, queued


@dataclass(frozen=True)
class Measured:
    """One bench run's figures."""

    meetups: int
    groups: int
    seats: int
    seconds: float
    statements: int
    queued: int


def measure(communities: int, runs: int, admin_url: str, database: str = DATABASE) -> Measured:
    """Seed, seat and time in a fresh database, dropped afterwards (the process's
    environment is restored too)."""
    url = fresh_database(admin_url, database)
    saved = dict(os.environ)
    os.environ.update(
        DATABASE_URL=url,
        HEARTH_INSTANCE_PATH=tempfile.mkdtemp(prefix="hearth-tick-"),
        CELERY_BROKER_URL="memory://",
    )
    try:
        from flask_migrate import upgrade

        from webapp import create_app
        from webapp.extensions import db

        app = create_app()
        with app.app_context():
            upgrade()
            seed(community_sizes(communities), reset_members=0)
            groups, seats = seat(communities)
            seconds, statements, queued = time_runs(runs)
            db.session.remove()
            db.engine.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        drop_database(admin_url, url)
    return Measured(communities, groups, seats, seconds, statements, queued)


def main(argv: list[str] | None = None) -> None:
    """Parse, measure, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.notification_tick", description=__doc__)
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args(argv)
    if args.communities < 1 or args.runs < 1:
        parser.error("need >= 1 community and >= 1 run")
    m = measure(args.communities, args.runs, args.admin_url)
    print_table(
        [
            ("meetups published", f"{m.meetups:,}"),
            ("groups / seats", f"{m.groups:,} / {m.seats:,}"),
            (f"one run, median of {args.runs}", f"{m.seconds:.2f} s"),
            ("SQL statements per run", f"{m.statements:,}"),
            ("notices queued (0 expected)", str(m.queued)),
        ],
        stream=sys.stdout,
    )


if __name__ == "__main__":
    main()
