"""Benchmark: the organizer dashboard on a large community (10,000 members, 100 past meetups).

    python -m bench.dashboard [--members 10000] [--meetups 100] [--requests 20]

Creates its own PostgreSQL database (default `hearth_bench_dashboard` next to
BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres), migrates it,
seeds one community with bulk inserts, then prints a table: seeding time, the worker's
snapshot computation, and the dashboard page (served through the app, logged in as the
organizer, snapshot fresh) as median / 95th percentile / max over N requests, then the
first view of ten new date ranges (their charts are drawn, then kept in memory). The
target from issue 5 is a page under 500 ms. The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import datetime, timedelta

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET_MS = 500.0


def _database(name: str) -> str:
    base = make_url(BASE_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop(name: str) -> None:
    base = make_url(BASE_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(members: int, meetups: int, rng: random.Random) -> int:
    """Bulk-insert one community's history; return the community id."""
    from webapp.extensions import db
    from webapp.models import (
        Community,
        Group,
        GroupMember,
        Meetup,
        MeetupFeedback,
        MeetupSlot,
        MeetupStatus,
        Member,
        Membership,
        OptIn,
        PairFeedback,
        Role,
        Venue,
    )
    from webapp.models.checkins import LonelinessCheckin
    from webapp.models.groups import PairChoice

    conn = db.session.connection()
    start = datetime(2024, 1, 1)
    community_id = conn.execute(
        insert(Community).returning(Community.id),
        [{"name": "Bench", "slug": "bench", "description": "", "timezone": "UTC"}],
    ).scalar_one()
    conn.execute(
        insert(Member),
        [
            {"email": f"m{n}@bench.example", "password_hash": "x", "display_name": f"Member {n}"}
            for n in range(members)
        ],
    )
    ids = [row[0] for row in conn.execute(text("SELECT id FROM members ORDER BY id"))]
    conn.execute(
        insert(Membership),
        [
            {
                "community_id": community_id,
                "member_id": m,
                "role": Role.ORGANIZER if n == 0 else Role.MEMBER,
                "joined_at": start + timedelta(days=rng.randint(0, 600)),
            }
            for n, m in enumerate(ids)
        ],
    )
    venue_id = conn.execute(
        insert(Venue).returning(Venue.id),
        [{"community_id": community_id, "name": "Hall", "address": "", "capacity": 5000}],
    ).scalar_one()
    optins, seats, feedback, pairs = [], [], [], []
    for k in range(meetups):
        when = start + timedelta(days=7 * k)
        meetup_id = conn.execute(
            insert(Meetup).returning(Meetup.id),
            [
                {
                    "community_id": community_id,
                    "title": f"Round {k}",
                    "optin_deadline": when - timedelta(days=2),
                    "status": MeetupStatus.MATCHED,
                    "group_min": 3,
                    "group_max": 6,
                }
            ],
        ).scalar_one()
        slot_id = conn.execute(
            insert(MeetupSlot).returning(MeetupSlot.id),
            [{"meetup_id": meetup_id, "starts_at": when, "venue_id": venue_id}],
        ).scalar_one()
        opted = rng.sample(ids, members // 10)
        optins += [
            {"meetup_id": meetup_id, "member_id": m, "created_at": when - timedelta(days=3)}
            for m in opted
        ]
        placed = opted[: int(len(opted) * 0.95)]
        group_ids = (
            conn.execute(
                insert(Group).returning(Group.id),
                [{"meetup_id": meetup_id, "slot_id": slot_id, "score": 1.0, "why": []}]
                * (len(placed) // 5),
            )
            .scalars()
            .all()
        )
        for g, group_id in enumerate(group_ids):
            members_of = placed[5 * g : 5 * g + 5]
            seats += [
                {"group_id": group_id, "meetup_id": meetup_id, "member_id": m} for m in members_of
            ]
            for m in members_of:
                went = rng.random() < 0.85
                feedback.append(
                    {
                        "meetup_id": meetup_id,
                        "member_id": m,
                        "attended": went,
                        "rating": rng.randint(2, 5) if went else None,
                        "created_at": when + timedelta(days=1),
                    }
                )
                for other in rng.sample([o for o in members_of if o != m], 2) if went else []:
                    pairs.append(
                        {
                            "meetup_id": meetup_id,
                            "rater_id": m,
                            "ratee_id": other,
                            "choice": PairChoice.AGAIN
                            if rng.random() < 0.7
                            else PairChoice.NOT_FOR_ME,
                            "created_at": when + timedelta(days=1),
                        }
                    )
    for model, rows in (
        (OptIn, optins),
        (GroupMember, seats),
        (MeetupFeedback, feedback),
        (PairFeedback, pairs),
    ):
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(model), rows[i : i + 20_000])
    conn.execute(
        insert(LonelinessCheckin),
        [
            {
                "member_id": rng.choice(ids),
                "lack_companionship": rng.randint(1, 3),
                "left_out": rng.randint(1, 3),
                "isolated": rng.randint(1, 3),
                "created_at": start + timedelta(days=rng.randint(0, 7 * meetups)),
            }
            for _ in range(members // 2)
        ],
    )
    db.session.commit()
    print(
        f"seeded {members} members, {meetups} meetups, {len(optins)} opt-ins, {len(seats)} "
        f"seats, {len(feedback)} feedback rows, {len(pairs)} pair verdicts"
    )
    return community_id


def _timed(client, urls: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds per request, sorted; one untimed request first warms templates."""
    assert client.get("/organize/bench").status_code == 200
    timings = []
    for url in urls:
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(timings)


def main() -> None:
    """Seed, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--meetups", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", default="hearth_bench_dashboard")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = _database(args.database)
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Community, Role
    from webapp.services import dashboard

    app = create_app({"TESTING": True})
    rows = []
    try:
        with app.app_context():
            upgrade()
            began = time.perf_counter()
            community_id = seed(args.members, args.meetups, random.Random(5))
            rows.append(("seed the database (once)", (time.perf_counter() - began) * 1000, ""))
            community = db.session.get(Community, community_id)
            began = time.perf_counter()
            dashboard.refresh(community)
            rows.append(
                ("compute snapshot (worker task)", (time.perf_counter() - began) * 1000, "")
            )
            organizer_id = db.session.scalar(
                text("SELECT member_id FROM memberships WHERE role = :r").bindparams(
                    r=Role.ORGANIZER.value
                )
            )
            from webapp.models import Member

            organizer = db.session.get(Member, organizer_id)
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = organizer.get_id()
                session["_fresh"] = True
        default_view = _timed(client, ["/organize/bench"] * args.requests)
        new_ranges = _timed(
            client, [f"/organize/bench?start=2024-{m:02d}-01" for m in range(1, 11)]
        )
        for label, timings in (
            ("dashboard page (all dates)", default_view),
            ("first view of a new date range", new_ranges),
        ):
            p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
            verdict = "OK" if p95 < TARGET_MS else "OVER TARGET"
            rows.append((f"{label}, median", statistics.median(timings), ""))
            rows.append((f"{label}, p95", p95, f"{verdict} (< {TARGET_MS:.0f} ms)"))
            rows.append((f"{label}, max", timings[-1], ""))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if not args.keep:
            _drop(args.database)
    print(
        f"\nDashboard benchmark: {args.members} members, {args.meetups} past meetups, "
        f"{args.requests} page requests (PostgreSQL)"
    )
    print(f"{'what':<40} {'ms':>10}  note")
    for what, ms, note in rows:
        print(f"{what:<40} {ms:>10.1f}  {note}")


if __name__ == "__main__":
    main()
