"""Email throughput: match emails through ONE Celery worker process to a local SMTP server.

    python -m bench.email_throughput                  # 10,000 emails, as the issue asks
    python -m bench.email_throughput --emails 1000    # a quick look

Sets up everything it needs and removes it afterwards: a fresh PostgreSQL database next to
BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), a redis-server
of its own on a free port, an aiosmtpd server in this process, and one `celery worker
--pool solo` subprocess (one process) running the real pipeline: lease, SMTP, marking sent.

Two runs, printed as one table:
- burst: every email committed in ONE transaction (what publishing a big meetup does), so
  latency includes waiting behind the whole backlog;
- steady: batches of 50 committed at `--rate` emails per second (default 100, the goal),
  the latency a member sees when the worker keeps up.
Latency is from the commit that queued an email to its arrival at the SMTP server. The
footer gives the SMTP connections the worker opened and the machine's load average, since
a busy neighbour on a shared host slows everything.
Not a test: nothing is asserted, and it never runs in the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUP_SIZE = 5
GOAL = 100  # emails per second, burst run


class Arrivals:
    """aiosmtpd handler: when each Message-ID arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        arrived = time.time()
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.at.setdefault(line.split(b":", 1)[1].strip().decode(), arrived)
                break
            if not line:
                break
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.at)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"hearth_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def seed(groups: int):  # type: ignore[no-untyped-def]
    """A community, groups * GROUP_SIZE members and a published meetup with those groups."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from webapp.extensions import db
    from webapp.models import (
        Community,
        Group,
        GroupMember,
        Meetup,
        MeetupSlot,
        MeetupStatus,
        Member,
        Venue,
    )
    from webapp.models._time import utcnow

    community = Community(name="Bench Friends", slug=f"bench-{uuid.uuid4().hex[:6]}")
    db.session.add(community)
    db.session.flush()
    tag = uuid.uuid4().hex[:6]
    db.session.execute(
        insert(Member),
        [
            {"email": f"m{n}-{tag}@example.org", "password_hash": "x", "display_name": f"M{n}"}
            for n in range(groups * GROUP_SIZE)
        ],
    )
    member_ids = list(
        db.session.scalars(select(Member.id).where(Member.email.like(f"%-{tag}@example.org")))
    )
    venue = Venue(community_id=community.id, name="Hall", address="Main St 1", capacity=100_000)
    meetup = Meetup(
        community_id=community.id,
        title=f"Bench {tag}",
        optin_deadline=utcnow(),
        status=MeetupStatus.MATCHED,
    )
    meetup.slots.append(MeetupSlot(starts_at=utcnow() + timedelta(days=3), venue=venue))
    db.session.add(meetup)
    db.session.flush()
    slot = meetup.slots[0]
    created = []
    for g in range(groups):
        group = Group(meetup_id=meetup.id, slot_id=slot.id, why=["tea"])
        for member_id in member_ids[g * GROUP_SIZE : (g + 1) * GROUP_SIZE]:
            group.members.append(GroupMember(meetup_id=meetup.id, member_id=member_id))
        db.session.add(group)
        created.append(group)
    db.session.commit()
    return [g.id for g in created]


def queue_groups(group_ids: list[int]) -> float:
    """Queue the match emails of these groups in one transaction; return the commit time."""
    from webapp.extensions import db
    from webapp.models import Group
    from webapp.services import emails

    for group_id in group_ids:
        emails.queue_match_emails(db.session.get(Group, group_id))
    db.session.commit()
    return time.time()


def wait_for(arrivals: Arrivals, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while arrivals.count() < total:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {arrivals.count()} of {total} emails arrived in {timeout}s")
        time.sleep(0.05)


def summarise(name: str, arrivals: Arrivals, committed: dict[str, float]) -> list[str]:
    latencies = sorted(arrivals.at[mid] - committed[mid] for mid in committed)
    first_commit = min(committed.values())
    seconds = max(arrivals.at[mid] for mid in committed) - first_commit
    p = statistics.quantiles(latencies, n=100)
    return [
        name,
        f"{len(latencies):,}",
        f"{seconds:.1f}",
        f"{len(latencies) / seconds:.1f}",
        f"{statistics.median(latencies):.2f}",
        f"{p[98]:.2f}",
        f"{latencies[-1]:.2f}",
    ]


def run(emails: int, rate: float, steady_emails: int, admin_url: str) -> None:
    import logging

    from aiosmtpd.controller import Controller

    for noisy in ("mail.log", "webapp"):  # a line per SMTP command / per queued email
        logging.getLogger(noisy).setLevel(logging.WARNING)
    load_before = os.getloadavg()

    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is needed")
    folder = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    database_url = create_database(admin_url)
    redis_port, smtp_port = free_port(), free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    arrivals = Arrivals()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    os.environ.update(
        HEARTH_INSTANCE_PATH=str(folder),
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/0",
        CELERY_QUEUE=f"hearth-bench-{uuid.uuid4().hex[:6]}",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        BASE_URL="http://bench.example",
    )
    worker = None
    try:
        from flask_migrate import upgrade
        from sqlalchemy import select

        from webapp import create_app
        from webapp.config import queue_names
        from webapp.extensions import db
        from webapp.models.messages import OutboxEmail

        app = create_app()
        with app.app_context():
            upgrade()
            groups = seed(emails // GROUP_SIZE)
            steady_groups = seed(steady_emails // GROUP_SIZE) if steady_emails else []
            log = open(folder / "worker.log", "wb")  # noqa: SIM115
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "worker.app",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-Q",
                    ",".join(queue_names(os.environ["CELERY_QUEUE"]).values()),
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            while b" ready." not in (folder / "worker.log").read_bytes():
                if worker.poll() is not None:
                    raise SystemExit((folder / "worker.log").read_text()[-3000:])
                time.sleep(0.2)
            rows = []
            print(f"queueing {len(groups) * GROUP_SIZE:,} emails in one transaction ...")
            started = time.time()
            committed_at = queue_groups(groups)
            print(f"  rendered and committed in {committed_at - started:.1f}s")
            total = len(groups) * GROUP_SIZE
            wait_for(arrivals, total, timeout=3600)
            ids = db.session.scalars(select(OutboxEmail.id)).all()
            burst = {f"<outbox-{i}@bench.example>": committed_at for i in ids}
            rows.append(summarise("burst (one commit)", arrivals, burst))
            if steady_groups:
                per_batch = 10  # groups: 50 emails
                interval = per_batch * GROUP_SIZE / rate
                print(f"steady: {steady_emails:,} emails at {rate:g}/s ...")
                steady: dict[str, float] = {}
                before = set(ids)
                commits = []
                for n in range(0, len(steady_groups), per_batch):
                    tick = time.time()
                    at = queue_groups(steady_groups[n : n + per_batch])
                    commits.append(at)
                    new = set(db.session.scalars(select(OutboxEmail.id)).all()) - before
                    before |= new
                    steady.update({f"<outbox-{i}@bench.example>": at for i in new})
                    time.sleep(max(0.0, interval - (time.time() - tick)))
                wait_for(arrivals, total + len(steady), timeout=3600)
                offered = len(steady) / max(commits[-1] - commits[0], 1e-9)
                name = f"steady ({rate:g}/s asked, {offered:.0f}/s offered)"
                rows.append(summarise(name, arrivals, steady))
        header = ["run", "emails", "seconds", "emails/s", "p50 latency s", "p99 latency s", "max s"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        print()
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        print("\none worker process (celery --pool solo), PostgreSQL, Redis, aiosmtpd on this host")
        rate_burst = float(rows[0][3])
        verdict = "met" if rate_burst >= GOAL else "MISSED"
        print(f"goal (issue 6): >= {GOAL} emails/s with one worker process: {verdict}")
        print(f"SMTP connections opened by the worker: {arrivals.connections:,}")
        after = os.getloadavg()
        load = ", ".join(f"{a:.1f} -> {b:.1f}" for a, b in zip(load_before, after, strict=True))
        print(f"load average (1, 5, 15 min) before -> after: {load} on {os.cpu_count()} cores")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        smtp.stop()
        redis.terminate()
        redis.wait()
        try:
            from webapp.extensions import db

            with app.app_context():  # type: ignore[possibly-undefined]
                db.engine.dispose()
        except Exception:  # noqa: BLE001
            pass
        drop_database(admin_url, database_url)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000, help="emails in the burst run")
    parser.add_argument("--steady-emails", type=int, default=2_000, help="0 to skip")
    parser.add_argument("--rate", type=float, default=100.0, help="steady run's emails/second")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    run(args.emails, args.rate, args.steady_emails, args.database_url)


if __name__ == "__main__":
    main()
