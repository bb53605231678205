"""`python -m bench.load`: start the stack, run the load scenarios, print one table.

Scenarios (all by default): pages, public, auth, overload, soak, api (the JSON API's
meetups and my-groups endpoints, issue 17). The soak lasts
`--soak-minutes` (default 2; the issue's full figure is 30). Everything the bench starts
(gunicorn, its database, its broker queue) is stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time

from bench.load import runner
from bench.load.stack import Database, Server, ServerOptions, workdir

SCENARIOS = ("pages", "public", "auth", "overload", "soak", "api")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--members", type=int, default=300, help="demo members to seed")
    parser.add_argument("--seconds", type=float, default=30, help="per throughput scenario")
    parser.add_argument("--users", type=int, default=12, help="locust users, throughput runs")
    parser.add_argument("--soak-minutes", type=float, default=2.0)
    parser.add_argument("--soak-users", type=int, default=200)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: one per CPU)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: pool size)")
    parser.add_argument("--pool-size", type=int, default=6, help="DB connections per worker")
    parser.add_argument("--max-overflow", type=int, default=0, help="DB_MAX_OVERFLOW")
    parser.add_argument("--pool-timeout", type=float, default=0, help="seconds (DB_POOL_TIMEOUT)")
    parser.add_argument("--queue-timeout", type=float, default=0.5, help="seconds (QUEUE_TIMEOUT)")
    parser.add_argument(
        "--production-limits",
        action="store_true",
        help="keep the production rate limits (the bench raises them by default)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}; choose from {SCENARIOS}")
    return args


def table(rows: list[runner.Row]) -> str:
    head = (
        "scenario", "tool", "load", "req/s", "p50 ms", "p95 ms", "p99 ms", "statuses",
        "goal", "verdict", "note",
    )  # fmt: skip
    lines = [head]
    for row in rows:
        r = row.result
        goal = (
            row.goal.label
            if row.goal and row.goal.label
            else f">={row.goal.rate:.0f}/s, {row.goal.percentile}<={row.goal.ms:.0f}ms, no error"
            if row.goal and row.goal.rate
            else f"{row.goal.percentile}<={row.goal.ms:.0f}ms, no error, RSS <+10%"
            if row.goal
            else "no 5xx but 503, all answered"
        )
        lines.append(
            (
                row.scenario,
                row.tool,
                row.load,
                f"{r.rate:.1f}",
                f"{r.p50:.0f}",
                f"{r.p95:.0f}",
                f"{r.p99:.0f}",
                r.status_text(),
                goal,
                row.verdict(),
                row.note,
            )  # fmt: skip
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = [" | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str]) -> int:
    args = parse(argv)
    # a stopped bench still stops gunicorn and drops its database (finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    chosen = args.scenarios or list(SCENARIOS)
    options = ServerOptions(
        workers=args.workers or len(os.sched_getaffinity(0)),
        threads=args.threads,
        pool_size=args.pool_size,
        max_overflow=args.max_overflow,
        pool_timeout=args.pool_timeout,
        queue_timeout=args.queue_timeout,
        raise_limits=not args.production_limits,
    )
    folder = workdir()
    database = Database(args.database_url, folder)
    print(f"command: python -m bench.load {shlex.join(argv)}", flush=True)
    print(f"machine: {runner.describe_machine()} (shared)", flush=True)
    started = time.monotonic()
    seeded = database.create(args.members, args.redis_url)
    print(f"seeded {len(seeded['members'])} members in {time.monotonic() - started:.0f}s")
    server = Server(database.env(args.redis_url), options, folder)
    rows: list[runner.Row] = []
    try:
        server.start()
        print(f"server: {options.describe()}; logs in {folder}", flush=True)
        ctx = runner.Context(
            server, folder / "members.json", seeded["members"], seeded["password"], folder
        )
        for name in chosen:
            print(f"running {name} ... ({runner.describe_machine()})", flush=True)
            if name == "pages":
                rows += runner.pages(ctx, args.seconds, args.users)
            elif name == "public":
                rows += runner.public(ctx, args.seconds, args.users)
            elif name == "auth":
                rows += runner.auth(ctx, args.seconds)
            elif name == "overload":
                rows += runner.overload(ctx, args.seconds)
            elif name == "api":
                rows += runner.api(ctx, args.seconds, args.users)
            elif name == "soak":
                rows += runner.soak(ctx, args.soak_minutes * 60, args.soak_users)
    finally:
        server.stop()
        database.drop()
        database.drop_queue(args.redis_url)
    print()
    print(table(rows))
    print(f"\nmachine after the run: {runner.describe_machine()}")
    return 0 if all(row.verdict() == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
