"""Deadline rush (issue 16): thousands of communities' meetups due in the same minute.

    python -m bench.deadline                                   # 2,000 communities, ~300,000 members
    python -m bench.deadline --kill-matching-worker-at-half    # the fault run
    python -m bench.deadline --communities 50                  # a quick look

Sets up everything it needs: a fresh PostgreSQL database `hearth_bench_deadline` next to
BENCH_DATABASE_URL (dropped at the start, so a crashed run leaves nothing behind for the
next one, and dropped again at the end unless `--keep-database`), a redis-server of its
own on a free port (the shared one is never touched), an aiosmtpd sink in this process
that records every arrival with its Message-ID and recipients, and the deployment the
README sizes for this machine, as real subprocesses: two matching workers (`celery worker
-Q <matching>`, prefork, one process each), one delivery worker (email and notifications
queues, `--delivery-processes` prefork processes: 2, as "Running at scale" sizes it) and
`celery beat`, whose `hearth.match_due_meetups` tick starts the
due meetups in batches of MATCH_BATCH every MATCH_DUE_SECONDS, as in production.

Seeded with COPY: `--communities` communities of 50-300 members (sizes drawn from a fixed
seed, many small and few large, nudged so the total is 150 per community: 300,000 at
2,000), each member with three of their community's favourite interests, opted in to
their community's meetup (groups of 3-4, automatic publishing, two times at one venue;
half the members picked one time, half both). Every deadline is then set to the same
moment, the start of the clock, and beat is started: its first tick comes one interval
later, as it would for a deadline that falls just after a tick.

Measured: seconds from the deadline to all previews stored and to the last match email
at the SMTP sink; every 10 s during the run a password reset is requested through the
service the forgot-password page calls (`account_changes.request_password_reset`) for an
unrelated member, and its delay from request to arrival is reported (p50, p99, max).
With `--kill-matching-worker-at-half` one matching worker (its main process and pool
child: a crashed container) is killed with SIGKILL once half the meetups are stored and
restarted 10 s later, as a supervisor (systemd Restart=, Kubernetes, a compose restart
policy) would; the task it held comes back through Redis's visibility timeout or the
scheduler's stale claim (MATCH_CLAIM_SECONDS), whichever is first. The verdict checks
every meetup stored exactly once (one "previewed" audit entry, groups once), every
placed member's match email delivered, and no recipient given two different Message-IDs
for the same meetup; the same Message-ID arriving twice (a re-send after a crash, which
mail clients fold into one) is counted and shown. Not a test: it never runs in the test
suite (`tests/bench/test_deadline.py` runs its code path on 6 small communities).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.email_throughput import drop_database, free_port
from tests.services import worker_args

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "hearth_bench_deadline"
SIZE_RANGE = (50, 300)
MEAN_SIZE = 150
TAGS = tuple(
    "hiking chess jazz yoga film cooking books running climbing cycling board-games "
    "photography gardening knitting painting poetry theatre opera rock techno salsa tango "
    "football tennis swimming sailing baking wine coffee tea languages history philosophy "
    "science astronomy coding gaming anime travel volunteering".split()
)
RESET_EVERY = 10.0  # seconds between password-reset requests
#: Seconds between the watcher's counts. Each poll counts meetups and pending outbox rows
#: in the database the run is measured on: every second, that polling took ~10% of a core
#: at 2,000 communities. The stored times are taken from the meetups afterwards (exact).
POLL_EVERY = 5.0
RESET_MEMBERS = 400  # unrelated members who ask for them, in turn
RESTART_AFTER = 10.0  # seconds a killed matching worker stays down
#: Processes of the one delivery worker: while two matching processes keep both cores
#: busy, a single delivery process gets a third of the CPU and the mail falls behind.
DELIVERY_PROCESSES = 2
GOAL_LAST_EMAIL = 30 * 60  # seconds from the deadline (issue 16)
GOAL_RESET_P99 = 10.0


def community_sizes(
    count: int, low: int = SIZE_RANGE[0], high: int = SIZE_RANGE[1], mean: float = MEAN_SIZE
) -> list[int]:
    """Deterministic community sizes in [low, high]: many small, few large (u^1.5 skew),
    nudged one member at a time so they add up to round(count * mean)."""
    rng = np.random.default_rng(16)
    sizes = (low + (high - low) * rng.random(count) ** 1.5).round().astype(int)
    target = round(count * mean)
    order = rng.permutation(count)
    k = 0
    while sizes.sum() != target:
        i = order[k % count]
        step = 1 if sizes.sum() < target else -1
        if low <= sizes[i] + step <= high:
            sizes[i] += step
        k += 1
    return [int(s) for s in sizes]


# ---------------------------------------------------------------------------------- seeding


def seed(sizes: list[int], *, reset_members: int = RESET_MEMBERS) -> dict[str, int]:
    """COPY the communities, members, interests, meetups and opt-ins in; deadlines a day
    ahead (`start_clock` moves them). Returns row counts. Needs an app context."""
    from webapp.extensions import db

    rng = np.random.default_rng(1600)
    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 (naive UTC, as the models)
    deadline = now + timedelta(days=1)
    counts: Counter[str] = Counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()

        def copy(table: str, columns: str, rows: Iterable[tuple]) -> None:
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
                for row in rows:
                    out.write_row(row)
                    counts[table] += 1

        copy("interests", "id, name", ((i + 1, t) for i, t in enumerate(TAGS)))
        copy(
            "communities",
            "id, name, slug, description, timezone, created_at",
            ((c, f"Bench {c}", f"bench-{c}", "", "UTC", now) for c in range(1, len(sizes) + 1)),
        )
        copy(
            "venues",
            "id, community_id, name, address, capacity, accessibility_notes",
            ((c, c, "Hall", "Main St 1", 1000, "") for c in range(1, len(sizes) + 1)),
        )
        copy(
            "meetups",
            "id, community_id, title, optin_deadline, group_min, group_max, status, "
            "created_at, auto_publish",
            (
                (c, c, f"Round {c}", deadline, 3, 4, "open", now, True)
                for c in range(1, len(sizes) + 1)
            ),
        )
        first, second = now + timedelta(days=3, hours=2), now + timedelta(days=4, hours=5)
        copy(
            "meetup_slots",
            "id, meetup_id, starts_at, venue_id",
            (
                (2 * c - 1 + k, c, when, c)
                for c in range(1, len(sizes) + 1)
                for k, when in enumerate((first, second))
            ),
        )
        owner = np.repeat(np.arange(1, len(sizes) + 1), sizes)
        total = len(owner)
        favourites = [rng.choice(len(TAGS), 8, replace=False) + 1 for _ in sizes]
        picks = rng.integers(0, 3, total)  # 0: first time only, 1: second only, 2: both
        copy(
            "members",
            "id, email, password_hash, display_name, about, created_at, session_token",
            (
                (m, f"m{m}@bench.example", "x", f"Member{m} Bench", "", now, secrets.token_hex(16))
                for m in range(1, total + reset_members + 1)
            ),
        )
        copy(
            "memberships",
            "id, community_id, member_id, role, joined_at",
            ((m, int(owner[m - 1]), m, "member", now) for m in range(1, total + 1)),
        )
        copy(
            "member_interests",
            "member_id, interest_id",
            (
                (m, int(tag))
                for m in range(1, total + 1)
                for tag in rng.choice(favourites[owner[m - 1] - 1], 3, replace=False)
            ),
        )
        copy(
            "optins",
            "id, meetup_id, member_id, created_at, note, slot_ids",
            (
                (
                    m,
                    int(c),
                    m,
                    now,
                    "",
                    json.dumps(
                        [2 * int(c) - 1, 2 * int(c)]
                        if picks[m - 1] == 2
                        else [2 * int(c) - 1 + int(picks[m - 1])]
                    ),
                )
                for m, c in zip(range(1, total + 1), owner, strict=True)
            ),
        )
        for table in ("interests", "communities", "venues", "meetups", "meetup_slots"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {counts[table]})")
        for table in ("members", "memberships", "optins"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {counts[table]})")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return dict(counts)


def reset_addresses(total_members: int, count: int = RESET_MEMBERS) -> list[str]:
    """The unrelated members (in no community) who ask for password resets."""
    return [f"m{m}@bench.example" for m in range(total_members + 1, total_members + count + 1)]


def start_clock() -> float:
    """Every meetup's opt-in deadline is now; returns the moment (epoch seconds)."""
    from sqlalchemy import update

    from webapp.extensions import db
    from webapp.models import Meetup
    from webapp.models._time import utcnow

    at = time.time()
    db.session.execute(update(Meetup).values(optin_deadline=utcnow()))
    db.session.commit()
    return at


# ------------------------------------------------------------------------------ the sink


class Sink:
    """aiosmtpd handler: every arrival as (Message-ID, recipients, epoch seconds)."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[str, tuple[str, ...], float]] = []
        self.first_at: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        arrived = time.time()
        message_id = ""
        # Only the top-level headers are read: the sink shares the machine with what it
        # measures, so it should not split whole messages into lines.
        for line in envelope.content.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
                break
        with self.lock:
            self.arrivals.append((message_id, tuple(envelope.rcpt_tos), arrived))
            self.first_at.setdefault(message_id, arrived)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def snapshot(self) -> list[tuple[str, tuple[str, ...], float]]:
        with self.lock:
            return list(self.arrivals)


# ---------------------------------------------------------------- autovacuum's stand-in

#: Seconds between the stand-in's rounds: autovacuum's naptime by default.
AUTOVACUUM_EVERY = 60.0
#: The tables the run fills (from empty, or nearly: seeding leaves them so).
FILLED_TABLES = ("meetups", "match_progress", "groups", "group_members", "outbox_emails")


class AutovacuumStandIn(threading.Thread):
    """What autovacuum does for the tables the run fills, on a server where it is off.

    This machine's PostgreSQL runs with `autovacuum = off`; a production server keeps the
    default (on). Without it the statistics of tables that grow from empty during the run
    stay at "empty": plans made early (such as the check of group_members' foreign key,
    cached in each connection) keep scanning whole tables, and dead row versions are never
    cleaned. So when autovacuum is off the bench runs `VACUUM (ANALYZE)` of those tables
    every AUTOVACUUM_EVERY seconds, as autovacuum would check them, and says so.
    """

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True, name="autovacuum-stand-in")
        self.database_url = database_url
        self.stopping = threading.Event()
        self.rounds = 0
        self.seconds = 0.0

    @staticmethod
    def needed(database_url: str) -> bool:
        """Whether the server runs without autovacuum."""
        from sqlalchemy import create_engine, text

        engine = create_engine(database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(text("SHOW autovacuum")).scalar() == "off"
        finally:
            engine.dispose()

    def run(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url, isolation_level="AUTOCOMMIT")
        try:
            while not self.stopping.wait(AUTOVACUUM_EVERY):
                started = time.monotonic()
                with engine.connect() as conn:
                    conn.execute(text(f"VACUUM (ANALYZE) {', '.join(FILLED_TABLES)}"))
                self.seconds += time.monotonic() - started
                self.rounds += 1
        finally:
            engine.dispose()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=120)


# ---------------------------------------------------------------------------- the verdict


@dataclass
class Verdict:
    """What the run stored and delivered, against what it should have."""

    meetups: int
    stored_once: int
    stored_twice: int  # more than one preview stored for a meetup
    not_stored: int
    expected_emails: int  # placed members: one match email each
    delivered_emails: int  # distinct (recipient, meetup) match emails that arrived
    lost: int  # placed members whose match email never arrived
    unexpected: int  # match emails to someone not placed in that meetup
    same_id_repeats: int  # a Message-ID that arrived more than once (a re-send)
    different_ids: int  # a recipient given two Message-IDs for the same meetup
    last_arrival: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.stored_once == self.meetups
            and not (self.stored_twice or self.not_stored or self.lost)
            and not (self.unexpected or self.different_ids)
        )


def judge(
    stored: dict[int, int],
    expected: set[tuple[str, int]],
    arrivals: list[tuple[str, tuple[str, ...], float]],
    match_rows: dict[str, tuple[str, int]],
) -> Verdict:
    """The verdict from plain facts: `stored` previews per meetup, `expected` (recipient,
    meetup) match emails, the sink's `arrivals`, and the match emails' outbox rows by
    Message-ID (recipient, meetup)."""
    ids_per_email: dict[tuple[str, int], set[str]] = defaultdict(set)
    times = Counter(mid for mid, _, _ in arrivals)
    last = 0.0
    for mid, recipients, at in arrivals:
        if mid not in match_rows:
            continue
        address, meetup = match_rows[mid]
        for rcpt in recipients:
            ids_per_email[(rcpt.lower(), meetup)].add(mid)
        if address.lower() not in {r.lower() for r in recipients}:
            ids_per_email[(address.lower(), meetup)].add(mid)
        last = max(last, at)
    delivered = set(ids_per_email)
    problems = []
    lost = expected - delivered
    unexpected = delivered - expected
    different = [k for k, ids in ids_per_email.items() if len(ids) > 1]
    if lost:
        problems.append(f"{len(lost)} match emails lost, e.g. {sorted(lost)[:3]}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected, e.g. {sorted(unexpected)[:3]}")
    if different:
        problems.append(f"{len(different)} recipients got different Message-IDs, {different[:3]}")
    return Verdict(
        meetups=len(stored),
        stored_once=sum(1 for n in stored.values() if n == 1),
        stored_twice=sum(1 for n in stored.values() if n > 1),
        not_stored=sum(1 for n in stored.values() if n == 0),
        expected_emails=len(expected),
        delivered_emails=len(delivered & expected),
        lost=len(lost),
        unexpected=len(unexpected),
        same_id_repeats=sum(n - 1 for mid, n in times.items() if mid in match_rows and n > 1),
        different_ids=len(different),
        last_arrival=last,
        problems=problems,
    )


def gather(sink: Sink) -> Verdict:
    """Read the facts from the database and the sink and judge them (app context)."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import AuditEntry, GroupMember, Meetup, Member
    from webapp.models.messages import OutboxEmail
    from webapp.services.email_format import message_id

    db.session.rollback()
    stored = dict.fromkeys(db.session.scalars(select(Meetup.id)), 0)
    previewed = AuditEntry.detail["meetup_id"].as_integer()
    for meetup_id, n in db.session.execute(
        select(previewed, func.count())
        .where(AuditEntry.action == "matching.previewed")
        .group_by(previewed)
    ):
        stored[meetup_id] = n
    seats = db.session.execute(
        select(Member.email, GroupMember.meetup_id).join(Member, Member.id == GroupMember.member_id)
    ).all()
    expected = {(email.lower(), meetup) for email, meetup in seats}
    rows = db.session.execute(
        select(OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.meetup_id).where(
            OutboxEmail.kind == "match"
        )
    ).all()
    match_rows = {message_id(row): (row.to_address, row.meetup_id) for row in rows}
    verdict = judge(stored, expected, sink.snapshot(), match_rows)
    if len(seats) != len(expected):
        verdict.problems.append(f"{len(seats) - len(expected)} seats stored twice")
        verdict.stored_twice += 1
    return verdict


# ------------------------------------------------------------------------------- the run


@dataclass
class Run:
    """Timings of one run, in epoch seconds (0 = did not happen)."""

    deadline: float = 0.0
    first_claim: float = 0.0
    half_stored: float = 0.0
    all_stored: float = 0.0
    all_delivered: float = 0.0
    killed_at: float = 0.0
    restarted_at: float = 0.0
    resets: dict[str, float] = field(default_factory=dict)  # Message-ID -> requested at
    loads: list[float] = field(default_factory=list)
    timed_out: bool = False


def _counts() -> tuple[int, int, int, int, int]:
    """(meetups, stored, published, claimed, pending outbox rows) right now."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Meetup, MeetupStatus
    from webapp.models.meetups import MatchProgress
    from webapp.models.messages import OutboxEmail, OutboxStatus

    db.session.rollback()
    meetups = db.session.scalar(select(func.count(Meetup.id)))
    stored = db.session.scalar(
        select(func.count(Meetup.id)).where(Meetup.status != MeetupStatus.OPEN)
    )
    published = db.session.scalar(
        select(func.count(Meetup.id)).where(Meetup.status == MeetupStatus.MATCHED)
    )
    claimed = db.session.scalar(select(func.count(MatchProgress.meetup_id)))
    pending = db.session.scalar(
        select(func.count(OutboxEmail.id)).where(OutboxEmail.status == OutboxStatus.PENDING)
    )
    db.session.rollback()  # not idle in a transaction until the next poll (it holds back vacuum)
    return meetups, stored, published, claimed, pending


def _stored_moments() -> list[float]:
    """When each stored meetup's preview was stored (epoch seconds, ascending)."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Meetup

    db.session.rollback()
    found = db.session.scalars(select(Meetup.matched_at).where(Meetup.matched_at.is_not(None)))
    return sorted(at.replace(tzinfo=UTC).timestamp() for at in found)


def _reset(address: str, run: Run) -> None:
    """Ask for a password reset the way the forgot-password page does; note when."""
    from webapp.models.messages import OutboxEmail
    from webapp.services import account_changes
    from webapp.services.email_format import message_id

    asked = time.time()
    for email_id in account_changes.request_password_reset(address):
        run.resets[message_id(OutboxEmail(id=email_id))] = asked


def watch(
    sink: Sink,
    workers: list[subprocess.Popen],
    start_matching_worker,  # type: ignore[no-untyped-def]
    *,
    kill: bool,
    reset_to: list[str],
    timeout: float,
    restart_after: float = RESTART_AFTER,
    stream=sys.stderr,  # type: ignore[no-untyped-def]
) -> Run:
    """Start the clock and watch until every meetup is stored and every match email
    arrived (or `timeout`), asking for resets and killing a worker on the way."""
    from worker.progress_bar import ProgressBar

    run = Run(deadline=start_clock())
    meetups = _counts()[0]
    bar = ProgressBar("deadline rush", meetups, stream=stream)
    next_reset, k = run.deadline, 0
    next_poll = 0.0
    stored = 0
    killed: subprocess.Popen | None = None
    while True:
        now = time.time()
        if now >= next_reset:
            _reset(reset_to[k % len(reset_to)], run)
            k += 1
            next_reset += RESET_EVERY
        if now >= next_poll:
            next_poll = now + POLL_EVERY
            run.loads.append(os.getloadavg()[0])
            meetups, stored, published, claimed, pending = _counts()
            if claimed and not run.first_claim:
                run.first_claim = now
            if stored * 2 >= meetups and not run.half_stored:
                run.half_stored = now
            if stored == meetups and not run.all_stored:
                run.all_stored = now
            if published == meetups and pending == 0 and not run.all_delivered:
                run.all_delivered = now
            note = f"{stored:,} stored, {sink.count():,} emails, {pending:,} pending"
            bar.update(stored, note)
        if kill and run.half_stored and not run.killed_at:
            victim = workers[0]
            os.killpg(victim.pid, signal.SIGKILL)  # the worker and its pool child
            victim.wait()
            run.killed_at = time.time()
            killed = victim
        if killed is not None and not run.restarted_at and now - run.killed_at >= restart_after:
            workers[0] = start_matching_worker()
            run.restarted_at = time.time()
        if run.all_delivered and (not kill or run.restarted_at):
            break
        if now - run.deadline > timeout:
            run.timed_out = True
            break
        time.sleep(0.1)
    bar.update(stored, "done", force=True)
    bar.close()
    moments = _stored_moments()
    if moments:  # exact, instead of the polls' POLL_EVERY resolution
        run.half_stored = moments[(len(moments) + 1) // 2 - 1]
        run.all_stored = moments[-1] if len(moments) == meetups else 0.0
    settle = time.time() + 15  # the last reset asked for
    while time.time() < settle and any(m not in sink.first_at for m in run.resets):
        time.sleep(0.2)
    return run


def celery(*args: str, log: Path) -> subprocess.Popen:
    """A `celery -A worker.app ...` subprocess in its own process group, logging to `log`."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app", *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc.log_path = log  # type: ignore[attr-defined]
    return proc


def wait_ready(procs: list[subprocess.Popen], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    for proc in procs:
        while b" ready." not in proc.log_path.read_bytes():  # type: ignore[attr-defined]
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit(proc.log_path.read_text()[-3000:])  # type: ignore[attr-defined]
            time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create database `name` next to `admin_url`; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    drop_database(admin_url, url.render_as_string(hide_password=False))
    engine = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@dataclass
class Outcome:
    """Everything `report` prints."""

    communities: int
    members: int
    seed_seconds: float
    run: Run
    verdict: Verdict
    reset_delays: list[float]
    resets_lost: int
    emails_total: int
    settings: dict[str, str]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    kill: bool


def run_bench(
    sizes: list[int],
    *,
    kill: bool,
    admin_url: str,
    database: str = DATABASE,
    keep_database: bool = False,
    settings: dict[str, str] | None = None,
    timeout: float = 3 * 3600,
    restart_after: float = RESTART_AFTER,
    delivery_processes: int = DELIVERY_PROCESSES,
    stream=sys.stderr,  # type: ignore[no-untyped-def]
) -> Outcome:
    """Set up, seed, run and judge once; everything started is stopped afterwards."""
    from aiosmtpd.controller import Controller

    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is needed")
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="hearth-deadline-"))
    database_url = fresh_database(admin_url, database)
    redis_port, smtp_port = free_port(), free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    saved_env = dict(os.environ)
    os.environ.update(
        HEARTH_INSTANCE_PATH=str(folder),
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/0",
        CELERY_QUEUE="hearth-deadline",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        BASE_URL="http://bench.example",
        **(settings or {}),
    )
    procs: list[subprocess.Popen] = []
    app = None
    vacuum: AutovacuumStandIn | None = None
    try:
        from flask_migrate import upgrade

        from webapp import create_app
        from webapp.config import queue_names

        app = create_app()
        names = queue_names(os.environ["CELERY_QUEUE"])
        with app.app_context():
            upgrade()
            started = time.monotonic()
            counts = seed(sizes)
            seed_seconds = time.monotonic() - started
            members = counts["optins"]
            print(
                f"seeded {len(sizes):,} communities, {members:,} members in {seed_seconds:.0f}s",
                file=stream,
            )

            def matching_worker() -> subprocess.Popen:
                # One prefork process (the soft and hard limits need prefork), prefetch 1
                # (the app's setting), as the README sizes a matching worker per core.
                proc = celery(
                    *worker_args("prefork", names["matching"]),
                    log=folder / f"matching-{time.time_ns()}.log",
                )
                procs.append(proc)
                return proc

            matchers = [matching_worker(), matching_worker()]
            delivery = celery(
                *worker_args("prefork", f"{names['email']},{names['notifications']}"),
                "--concurrency",
                str(delivery_processes),
                log=folder / "delivery.log",
            )
            procs.append(delivery)
            wait_ready([*matchers, delivery])
            if AutovacuumStandIn.needed(database_url):
                vacuum = AutovacuumStandIn(database_url)
                vacuum.start()
                print(
                    "autovacuum is off on this server: the bench runs VACUUM (ANALYZE) of "
                    f"the tables the run fills every {AUTOVACUUM_EVERY:.0f} s in its place",
                    file=stream,
                )
            beat = celery(
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                str(folder / "beat-schedule"),
                log=folder / "beat.log",
            )
            procs.append(beat)
            run = watch(
                sink,
                matchers,
                matching_worker,
                kill=kill,
                reset_to=reset_addresses(members),
                timeout=timeout,
                restart_after=restart_after,
                stream=stream,
            )
            load_after = os.getloadavg()
            verdict = gather(sink)
            delays = sorted(
                sink.first_at[m] - at for m, at in run.resets.items() if m in sink.first_at
            )
            return Outcome(
                communities=len(sizes),
                members=members,
                seed_seconds=seed_seconds,
                run=run,
                verdict=verdict,
                reset_delays=delays,
                resets_lost=len(run.resets) - len(delays),
                emails_total=sink.count(),
                settings={
                    k: str(app.config[k])
                    for k in (
                        "MATCH_TIME_LIMIT",
                        "MATCH_SECONDS_PER_MEMBER",
                        "MATCH_RUSH_SECONDS_PER_MEMBER",
                        "MATCH_RUSH_QUEUED",
                        "MATCH_BATCH",
                        "MATCH_CLAIM_SECONDS",
                        "DASHBOARD_REFRESH_BUDGET",
                    )
                }
                | {
                    "MATCH_DUE_SECONDS": str(app.config["CELERY"]["match_due_seconds"]),
                    "delivery processes": str(delivery_processes),
                    "autovacuum": "on (the server's)"
                    if vacuum is None
                    else f"off on this server; stand-in VACUUM (ANALYZE) every "
                    f"{AUTOVACUUM_EVERY:.0f} s ({vacuum.rounds} rounds, {vacuum.seconds:.0f} s)",
                },
                load_before=load_before,
                load_after=load_after,
                kill=kill,
            )
    finally:
        if vacuum is not None:
            vacuum.stop()
        for proc in procs:
            stop(proc)
        smtp.stop()
        redis.terminate()
        redis.wait()
        if app is not None:
            from webapp.extensions import db

            with app.app_context():
                db.engine.dispose()
        if not keep_database:
            drop_database(admin_url, database_url)
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.clear()
        os.environ.update(saved_env)


# ----------------------------------------------------------------------------- the table


def _p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def report(out: Outcome) -> list[tuple[str, str]]:
    """The table's rows: (measure, value)."""
    run, verdict = out.run, out.verdict

    def since(at: float) -> str:
        if not at:
            return "not reached"
        return f"{at - run.deadline:,.0f} s ({(at - run.deadline) / 60:.1f} min)"

    last = verdict.last_arrival
    last_ok = bool(last) and not run.timed_out and last - run.deadline <= GOAL_LAST_EMAIL
    span = (run.all_stored or time.time()) - (run.first_claim or run.deadline)
    v = verdict
    rows = [
        ("communities / members", f"{out.communities:,} / {out.members:,}"),
        ("seeding (COPY)", f"{out.seed_seconds:.0f} s"),
        ("first matching tick after the deadline", since(run.first_claim)),
        ("deadline -> half the previews stored", since(run.half_stored)),
        ("deadline -> all previews stored", since(run.all_stored)),
        ("deadline -> last match email arrived", since(last)),
        (f"goal: last email within {GOAL_LAST_EMAIL // 60} min", "met" if last_ok else "MISSED"),
        (
            "meetups stored exactly once",
            f"{v.stored_once:,} of {v.meetups:,} (twice {v.stored_twice}, never {v.not_stored})",
        ),
        ("matching throughput", f"{v.meetups / max(span, 1e-9) * 60:.1f} meetups/min"),
        (
            "match emails delivered",
            f"{v.delivered_emails:,} of {v.expected_emails:,} placed members "
            f"(lost {v.lost}, unexpected {v.unexpected})",
        ),
        (
            "email throughput (deadline -> last)",
            f"{v.delivered_emails / max(last - run.deadline, 1e-9):.0f}/s" if last else "-",
        ),
        ("all emails at the sink", f"{out.emails_total:,} (match emails, resets, others)"),
        ("same Message-ID arriving twice", f"{v.same_id_repeats}"),
        ("one recipient, one meetup, two Message-IDs", f"{v.different_ids}"),
    ]
    delays = out.reset_delays
    if delays:
        p99 = _p99(delays)
        rows.append(
            (
                "password reset: request -> arrival",
                f"p50 {statistics.median(delays):.2f} s, p99 {p99:.2f} s, "
                f"max {delays[-1]:.2f} s ({len(delays)} asked, {out.resets_lost} never arrived)",
            )
        )
        reset_ok = p99 < GOAL_RESET_P99 and not out.resets_lost
        rows.append((f"goal: reset p99 < {GOAL_RESET_P99:g} s", "met" if reset_ok else "MISSED"))
    if out.kill:
        fault = "never killed"
        if run.killed_at:
            fault = f"at {since(run.killed_at)} (half stored), "
            fault += f"restarted {run.restarted_at - run.killed_at:.0f} s later"
        rows.append(("fault: SIGKILL of one matching worker", fault))
    ok = verdict.ok and not run.timed_out
    problems = "; ".join(verdict.problems + (["timed out"] if run.timed_out else []))
    rows.append(
        (
            "verdict",
            "OK: nothing lost, nothing stored or sent twice" if ok else f"FAILED: {problems}",
        )
    )
    loads = run.loads or [0.0]
    rows.append(
        (
            "load average (1 min)",
            f"before {out.load_before[0]:.1f}, during mean {statistics.mean(loads):.1f} "
            f"max {max(loads):.1f}, after {out.load_after[0]:.1f} on {os.cpu_count()} cores",
        )
    )
    rows.append(("settings", ", ".join(f"{k}={v}" for k, v in out.settings.items())))
    return rows


def print_table(rows: list[tuple[str, str]], stream=sys.stdout) -> None:  # type: ignore[no-untyped-def]
    width = max(len(k) for k, _ in rows)
    print(file=stream)
    print(f"{'measure'.ljust(width)}  value", file=stream)
    print(f"{'-' * width}  {'-' * 40}", file=stream)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}", file=stream)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--kill-matching-worker-at-half", action="store_true")
    parser.add_argument("--delivery-processes", type=int, default=DELIVERY_PROCESSES)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--timeout-minutes", type=float, default=180)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    # The bench's own process logs warnings only (a line per email would drown the table);
    # set here, not in run_bench, so a test calling run_bench keeps its logging.
    for noisy in ("mail.log", "webapp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Stopped with SIGTERM or SIGINT (also when started in the background), the workers,
    # redis-server and the database are still cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    signal.signal(signal.SIGINT, lambda *_: sys.exit("stopped"))
    sizes = community_sizes(args.communities)
    print(
        f"{len(sizes):,} communities, {sum(sizes):,} members (sizes {min(sizes)}-{max(sizes)}), "
        f"2 matching workers + 1 delivery worker ({args.delivery_processes} processes) + beat; "
        f"load now {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    outcome = run_bench(
        sizes,
        kill=args.kill_matching_worker_at_half,
        admin_url=args.database_url,
        keep_database=args.keep_database,
        timeout=args.timeout_minutes * 60,
        delivery_processes=args.delivery_processes,
    )
    print_table(report(outcome))


if __name__ == "__main__":
    main()
