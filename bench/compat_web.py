"""Issue 15 bench, web side: training a 10,000-member community from PostgreSQL rows.

``python -m bench.compat_web [--n 10000] [--meetups 100] [--server postgresql://postgres@127.0.0.1:5432/postgres]``

Creates a scratch database on the server (dropped afterwards), migrates it, writes a
community of N members (random tags, about words, homes, weekly grids, joining dates) and
M published weekly meetups (a fifth of the members each, groups of four; 70% answer the
feedback form, saying "meet again" or "not for me" about some groupmates) with bulk
inserts, then times on one core (BLAS pools limited to one thread):

- `compat_facts.rated_pair_count` (the hourly due check, per community),
- `compat_training.train_community` end to end (gathering the rated pairs from the
  database, features, time-split training, storing the row; goal <= 60 s),
- `compat_facts.history_for` for an open meetup every member opted in to (what matching
  adds to building a 10,000-member instance when a model is in use).

The answers are random, so the model is (rightly) not adopted: this measures time only;
`bench.compat_training` measures the pure training and the matching with the terms.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import single_core

GOAL_TRAIN_SECONDS = 60.0
SCRATCH = "hearth_bench_compat_web"
PARTS = ("morning", "afternoon", "evening")


def _rows(n: int, meetups: int, rng: random.Random) -> dict[str, list[dict]]:
    """Every table's rows for the community (id 1), in insertion order."""
    start = datetime(2025, 1, 6, 18)
    rows: dict[str, list[dict]] = {
        "interests": [{"id": t, "name": f"tag{t}"} for t in range(1, 61)],
        "members": [],
        "memberships": [],
        "member_interests": [],
        "availability": [],
        "meetups": [],
        "meetup_slots": [],
        "groups": [],
        "group_members": [],
        "meetup_feedback": [],
        "pair_feedback": [],
        "optins": [],
    }
    for i in range(1, n + 1):
        rows["members"].append(
            {
                "id": i,
                "email": f"m{i}@example.org",
                "password_hash": "x",
                "display_name": f"M{i}",
                "about": " ".join(f"word{w}" for w in rng.sample(range(400), 12)),
                "created_at": start,
                "session_token": "t",
                "home_lat": 52.4 + rng.random() * 0.2,
                "home_lon": 13.3 + rng.random() * 0.2,
                "languages": ["en", "de"] if rng.random() < 0.5 else ["en"],
            }
        )
        joined = start - timedelta(days=rng.randrange(600))
        rows["memberships"].append(
            {"community_id": 1, "member_id": i, "role": "member", "joined_at": joined}
        )
        for t in rng.sample(range(1, 61), 3):
            rows["member_interests"].append({"member_id": i, "interest_id": t})
        for day, part in {(rng.randrange(7), rng.choice(PARTS)) for _ in range(3)}:
            rows["availability"].append({"member_id": i, "weekday": day, "part": part})
        rows["optins"].append({"meetup_id": meetups + 1, "member_id": i, "created_at": start})
    group_id = 0
    for week in range(meetups + 1):
        when = start + timedelta(weeks=week)
        done = week < meetups
        rows["meetups"].append(
            {
                "id": week + 1,
                "community_id": 1,
                "title": f"Week {week + 1}",
                "optin_deadline": when - timedelta(days=1),
                "status": "matched" if done else "open",
                "created_at": when,
            }
        )
        rows["meetup_slots"].append(
            {"id": week + 1, "meetup_id": week + 1, "starts_at": when, "venue_id": 1}
        )
        if not done:
            continue
        people = rng.sample(range(1, n + 1), n // 5)
        for k in range(0, len(people) - 3, 4):
            group_id += 1
            seated = people[k : k + 4]
            rows["groups"].append(
                {"id": group_id, "meetup_id": week + 1, "slot_id": week + 1, "why": []}
            )
            for p in seated:
                rows["group_members"].append(
                    {"group_id": group_id, "meetup_id": week + 1, "member_id": p}
                )
                if rng.random() < 0.7:
                    rows["meetup_feedback"].append(
                        {"meetup_id": week + 1, "member_id": p, "rating": 4, "note": ""}
                    )
                    for other in seated:
                        if other != p and rng.random() < 0.4:
                            choice = "again" if rng.random() < 0.8 else "not_for_me"
                            rows["pair_feedback"].append(
                                {
                                    "meetup_id": week + 1,
                                    "rater_id": p,
                                    "ratee_id": other,
                                    "choice": choice,
                                }
                            )
    return rows


def _seed(db, n: int, meetups: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Write the community with bulk inserts (model defaults fill the other columns)."""
    from webapp.models import Community, Venue

    db.session.add(Community(id=1, name="Big", slug="big", timezone="UTC"))
    db.session.add(Venue(id=1, community_id=1, name="Hall", capacity=100_000))
    db.session.flush()
    tables = db.metadata.tables
    for name, rows in _rows(n, meetups, random.Random(seed)).items():
        table = tables[name]
        defaults = {
            c.name: c.default.arg
            for c in table.columns
            if c.default is not None and not callable(c.default.arg)
        }
        stamp = {c.name: datetime(2025, 1, 1) for c in table.columns if c.name == "created_at"}
        full = [{**defaults, **stamp, **row} for row in rows]
        for start in range(0, len(full), 20_000):
            db.session.execute(table.insert(), full[start : start + 20_000])
    db.session.commit()


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    value = fn()
    return value, time.monotonic() - started


def main() -> None:
    """Seed, time, print, drop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--meetups", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    server = make_url(args.server).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{SCRATCH}"'))
    os.environ["DATABASE_URL"] = server.set(database=SCRATCH).render_as_string(False)
    try:
        _run(args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))


def _run(args: argparse.Namespace) -> None:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.services import compat_facts, compat_training

    app = create_app()
    with app.app_context(), single_core():
        upgrade()
        _, seeding = _timed(lambda: _seed(db, args.n, args.meetups, args.seed))
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        count, t_count = _timed(lambda: compat_facts.rated_pair_count(1))
        row, t_train = _timed(lambda: compat_training.train_community(1))
        ids = list(range(1, args.n + 1))
        history, t_history = _timed(lambda: compat_facts.history_for(1, ids, args.meetups + 1))
        print(f"{args.n} members, {args.meetups} meetups (seeded in {seeding:.0f} s)")
        print(f"rated pairs               {count:>9,}  count query     {t_count:6.1f} s")
        print(
            f"train_community           {row.n_pairs:>9,}  end to end      {t_train:6.1f} s"
            f"  (goal <= {GOAL_TRAIN_SECONDS:.0f} s: {'met' if t_train <= 60 else 'MISSED'})"
        )
        print(f"history for the next meetup {len(history):>7,}  pairs           {t_history:6.1f} s")
        db.engine.dispose()


if __name__ == "__main__":
    main()
