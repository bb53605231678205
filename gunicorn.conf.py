"""gunicorn settings for Hearth's web process (the Docker image and the load bench use it).

One worker process per CPU: a gthread worker runs Python in one thread at a time (the GIL),
so a third worker on two cores mostly adds context switches; on this project's 2-core
machine the member pages ran at 198-274/s with two workers (3-6 threads each), 161/s with
three workers of 6 threads and 203/s with three of 3 (`python -m bench.load pages --workers
N --pool-size T`, locust, 30 s runs).

Threaded workers (gthread) with as many threads as each worker has database connections
(DB_POOL_SIZE 6, DB_MAX_OVERFLOW 0: all kept open, since an overflow connection is opened
and closed again for each request, a new PostgreSQL process each time), so a request never
waits for a connection. Excess load waits for a thread instead, and the worker class stamps
each request with the time it was queued: one that waited more than QUEUE_TIMEOUT (0.5 s) is
answered 503 + Retry-After at once (webapp/load_shedding.py), so twice the sustainable rate
is shed rather than turned into unbounded latency (issue 8; `python -m bench.load`).
DB_POOL_TIMEOUT=0 sheds the same way should threads ever outnumber connections.

Every value can be changed from the environment: WEB_CONCURRENCY (workers, default the
CPUs this process may use), WEB_THREADS (default DB_POOL_SIZE), PORT, QUEUE_TIMEOUT and
the pool's DB_* variables read by webapp/config.py.
"""

import os

os.environ.setdefault("DB_POOL_SIZE", "6")
os.environ.setdefault("DB_MAX_OVERFLOW", "0")
os.environ.setdefault("DB_POOL_TIMEOUT", "0")

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
worker_class = "webapp.gunicorn_worker.StampingThreadWorker"
threads = int(os.environ.get("WEB_THREADS") or os.environ["DB_POOL_SIZE"])
keepalive = 5
backlog = 2048
