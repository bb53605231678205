"""The load scenarios of issue 8, each measured against the running stack.

Two kinds of load generator:

- locust (`bench/load/locustfile.py`, a subprocess): browser-like flows with cookies and
  CSRF, closed loop (each simulated user waits for its answer), for throughput, the
  sign-up/login flow and the soak;
- `bench.load.fixed_rate` (open loop): requests at a fixed rate whatever the server does,
  for latency at the goal rate and for overload at twice the goal.

Each scenario returns `Row`s; the first seconds of each locust run (users starting and
logging in) are left out of the figures.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.load import fixed_rate
from bench.load.stack import VENV_BIN, Server
from bench.load.stats import Figures, figures

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Goal:
    """A goal from the issue: at least `rate` per second, percentile latency at most `ms`."""

    rate: float
    percentile: str  # "p95" or "p99"
    ms: float
    label: str = ""  # the goal as the table prints it, when the numbers alone don't say it


@dataclass
class Row:
    """One line of the results table."""

    scenario: str
    tool: str
    load: str
    result: Figures
    goal: Goal | None = None
    note: str = ""
    extra_ok: bool = True

    def verdict(self) -> str:
        if self.goal is None:
            return "ok" if self.extra_ok else "MISSED"
        latency = getattr(self.result, self.goal.percentile)
        met = (
            self.result.rate >= self.goal.rate * 0.98  # a fixed-rate run ends its last second
            and latency <= self.goal.ms
            and self.result.errors == 0
            and self.extra_ok
        )
        return "ok" if met else "MISSED"


@dataclass
class Context:
    """What every scenario needs."""

    server: Server
    members_file: Path
    members: list[dict[str, object]]
    password: str
    workdir: Path


# -- locust -----------------------------------------------------------------------------


def run_locust(
    ctx: Context,
    classes: list[str],
    *,
    users: int,
    spawn_rate: float,
    seconds: float,
    think: str = "0",
    signup_think: str = "",
    label: str,
) -> list[tuple[float, str, float, int]]:
    """Run locust headless; return every request it made as (time, name, ms, status)."""
    samples = ctx.workdir / f"locust-{label}.jsonl"
    env = dict(os.environ)
    env.update(
        BENCH_MEMBERS=str(ctx.members_file),
        BENCH_THINK=think,
        BENCH_SIGNUP_THINK=signup_think,
        BENCH_SAMPLES=str(samples),
    )
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        ctx.server.base_url,
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{int(seconds)}s",
        "--stop-timeout",
        "5",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--csv",
        str(ctx.workdir / f"locust-{label}"),
        *classes,
    ]
    log = ctx.workdir / f"locust-{label}.log"
    with open(log, "wb") as out:
        subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if not samples.exists():
        raise RuntimeError(f"locust wrote no samples; see {log}")
    rows = [json.loads(line) for line in samples.read_text().splitlines()]
    return [(float(t), str(n), float(ms), int(s)) for t, n, ms, s in rows]


def window(
    samples: list[tuple[float, str, float, int]], prefix: tuple[str, ...], skip: float
) -> Figures:
    """Figures for the requests named with one of `prefix`, after the first `skip` seconds."""
    if not samples:
        return figures([], [], 0.0)
    start = min(t for t, *_ in samples) + skip
    end = max(t for t, *_ in samples)
    kept = [(ms, s) for t, name, ms, s in samples if t >= start and name.startswith(prefix)]
    return figures([ms for ms, _ in kept], [s for _, s in kept], end - start)


# -- logged-in cookies for the fixed-rate tool ------------------------------------------


def member_requests(ctx: Context, how_many: int) -> list[tuple[str, str]]:
    """Log `how_many` members in (GET the form, POST it with its CSRF token) and return
    (path, cookie header) pairs for their profile, home (my groups) and a group page."""
    pairs: list[tuple[str, str]] = []
    for member in ctx.members[:how_many]:
        browser = requests.Session()
        form = browser.get(ctx.server.base_url + "/login", timeout=30)
        token = CSRF.search(form.text)
        if token is None:
            raise RuntimeError("the login page has no CSRF token")
        answer = browser.post(
            ctx.server.base_url + "/login",
            data={"email": member["email"], "password": ctx.password, "csrf_token": token[1]},
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"bench login failed with {answer.status_code}")
        # A browser keeps the cookie its first page sets (the session's CSRF secret); without
        # it every page of the run would mint and sign a new one.
        browser.get(ctx.server.base_url + "/me", timeout=30)
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        pairs += [("/me/profile", cookie), ("/me", cookie)]
        groups = member["groups"]
        if isinstance(groups, list) and groups:
            pairs.append((f"/me/groups/{groups[-1]}", cookie))
    return pairs


def run_fixed(
    ctx: Context, pairs: list[tuple[str, str]], rate: float, seconds: float, timeout: float
) -> Figures:
    """Fixed-rate run; figures over the whole run (it has no ramp)."""
    samples = fixed_rate.run(
        ctx.server.base_url, pairs, rate=rate, duration=seconds, timeout=timeout
    )
    return figures([s.latency_ms for s in samples], [s.status for s in samples], seconds)


# -- scenarios --------------------------------------------------------------------------

PAGES_GOAL = Goal(150, "p99", 150)
#: Issue 17: the API at least as fast as the profile page, p99 at most this.
API_P99_MS = 150
PUBLIC_GOAL = Goal(300, "p99", 100)
AUTH_GOAL = Goal(20, "p99", 500)
SOAK_GOAL = Goal(0, "p95", 200)
MEMBER = ("member ",)
API = ("api ",)
PUBLIC = ("public ",)
AUTH = ("auth POST",)


def _closed_then_open(
    ctx: Context,
    scenario: str,
    locust_class: str,
    names: tuple[str, ...],
    goal: Goal,
    pairs: list[tuple[str, str]],
    seconds: float,
    users: int,
    *,
    ramp: float,
    open_note: str = "",
) -> list[Row]:
    """One scenario twice: locust users back to back (throughput), then the fixed-rate tool
    at the goal rate (latency at that rate, open loop)."""
    samples = run_locust(
        ctx, [locust_class], users=users, spawn_rate=users, seconds=seconds, label=locust_class
    )
    return [
        Row(
            scenario,
            "locust",
            f"{users} users, no think time",
            window(samples, names, ramp),
            goal,
        ),
        Row(
            scenario,
            "fixed-rate",
            f"{goal.rate:.0f}/s open loop{open_note}",
            run_fixed(ctx, pairs, goal.rate, seconds, timeout=10),
            goal,
        ),
    ]


def pages(ctx: Context, seconds: float, users: int) -> list[Row]:
    """Logged-in profile and my-groups pages: locust at full speed, then fixed rate at goal."""
    return _closed_then_open(
        ctx,
        "member pages",
        "MemberPages",
        MEMBER,
        PAGES_GOAL,
        member_requests(ctx, 20),
        seconds,
        users,
        ramp=5,
        open_note=", 20 members",
    )


def api(ctx: Context, seconds: float, users: int) -> list[Row]:
    """Two JSON API endpoints (issue 17): a community's meetups (organizer token) and a
    member's groups (member token), locust at full speed, after the profile page alone in
    the same way: the goal is at least the profile page's throughput, p99 <= 150 ms."""
    profile = run_locust(
        ctx, ["ProfilePage"], users=users, spawn_rate=users, seconds=seconds, label="ProfilePage"
    )
    samples = run_locust(
        ctx, ["ApiClients"], users=users, spawn_rate=users, seconds=seconds, label="ApiClients"
    )
    reference, served = window(profile, MEMBER, 5), window(samples, API, 3)
    rows = [Row("profile page alone (reference)", "locust", f"{users} users, no think time",
                reference),
            Row("api (both)", "locust", f"{users} users, no think time", served,
                Goal(0, "p99", API_P99_MS, f">= the profile page's {reference.rate:.1f}/s, "
                     f"p99<={API_P99_MS}ms, no error"),
                extra_ok=served.rate >= reference.rate)]  # fmt: skip
    for name in ("api GET /communities/<slug>/meetups", "api GET /me/groups"):
        rows.append(Row(name.removeprefix("api "), "locust", "(same run)",
                        window(samples, (name,), 3), note="share of the run above"))  # fmt: skip
    return rows


def public(ctx: Context, seconds: float, users: int) -> list[Row]:
    """Landing and login pages for visitors."""
    pairs = [("/", ""), ("/login", "")]
    return _closed_then_open(
        ctx, "landing + login", "PublicPages", PUBLIC, PUBLIC_GOAL, pairs, seconds, users, ramp=3
    )


#: Newcomers signing up in the auth scenario: each starts a sign-up + login every second,
#: so AUTH_USERS of them offer the goal's rate of Argon2-bound POSTs (2 per flow).
AUTH_USERS = 10


def auth(ctx: Context, seconds: float) -> list[Row]:
    """Sign-up then log-in with the new account (each POST hashes or checks with Argon2), at
    a steady pace: the goal rate, then twice it (which must be served or shed, never 500)."""
    rows = []
    for factor in (1, 2):
        count = AUTH_USERS * factor
        samples = run_locust(
            ctx,
            ["SignupLogin"],
            users=count,
            spawn_rate=count,
            seconds=seconds,
            think="pace:1",
            label=f"auth-x{factor}",
        )
        result = window(samples, AUTH, 3)
        server_errors = result.server_errors + result.statuses.get(0, 0)  # 503 is shedding
        rows.append(
            Row(
                "sign-up + login POSTs" + (" x2" if factor == 2 else ""),
                "locust",
                f"{count} users, one sign-up + login each per second",
                result,
                AUTH_GOAL if factor == 1 else None,
                "" if factor == 1 else f"5xx other than 503 or no answer: {server_errors}",
                factor == 1 or server_errors == 0,
            )
        )
    return rows


def overload(ctx: Context, seconds: float) -> list[Row]:
    """Twice the goal rate, open loop: the excess must be shed (429/503), never a 500."""
    rows = []
    pairs = member_requests(ctx, 20)
    for name, goal, requests_ in (
        ("member pages x2", PAGES_GOAL, pairs),
        ("landing + login x2", PUBLIC_GOAL, [("/", ""), ("/login", "")]),
    ):
        result = run_fixed(ctx, requests_, goal.rate * 2, seconds, timeout=10)
        shed = result.statuses.get(429, 0) + result.statuses.get(503, 0)
        unanswered = result.statuses.get(0, 0)
        ok = result.server_errors == 0 and unanswered == 0
        note = f"shed {shed}, 5xx other than 503: {result.server_errors}, no answer {unanswered}"
        rows.append(
            Row(
                name,
                "fixed-rate",
                f"{goal.rate * 2:.0f}/s open loop",
                result,
                None,
                note,
                ok,
            )
        )
    return rows


#: Seconds between one newcomer's sign-ups in the soak: with 200 users (1 in 11 a newcomer)
#: about one sign-up a second, 3,600 new accounts in 30 minutes.
SOAK_SIGNUP_THINK = "10-30"


def soak(ctx: Context, seconds: float, users: int) -> list[Row]:
    """A mixed soak: members reading their pages and visitors on public pages (1-3 s think
    time), newcomers signing up (every 10-30 s each); memory sampled."""
    memory: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample_memory() -> None:
        while not stop.is_set():
            memory.append((time.monotonic(), ctx.server.rss_bytes()))
            stop.wait(5)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    ramp = users / 10
    started = time.monotonic()
    sampler.start()
    try:
        samples = run_locust(
            ctx,
            ["MemberPages", "PublicPages", "SignupLogin"],
            users=users,
            spawn_rate=10,
            seconds=seconds + ramp,
            think="1-3",
            signup_think=SOAK_SIGNUP_THINK,
            label="soak",
        )
    finally:
        stop.set()
        sampler.join()
    steady = [rss for at, rss in memory if at - started >= ramp + 10]
    growth = (steady[-1] - steady[0]) / steady[0] if len(steady) >= 2 else float("nan")
    result = window(samples, MEMBER + PUBLIC + AUTH, ramp + 5)
    minutes = seconds / 60
    note = (
        f"{minutes:.1f} min steady; RSS {steady[0] / 2**20:.0f} -> {steady[-1] / 2**20:.0f} MiB"
        f" ({growth:+.1%})"
        if len(steady) >= 2
        else "too short to measure memory"
    )
    return [
        Row(
            "mixed soak",
            "locust",
            f"{users} users, think 1-3 s",
            result,
            SOAK_GOAL,
            note,
            len(steady) >= 2 and growth < 0.10,
        )
    ]


def describe_machine() -> str:
    """Load average and cores, to print next to the figures."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.1f} (1 min) {five:.1f} (5 min)"
