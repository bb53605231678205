"""gunicorn settings for Hearth's web process (the Docker image and the load bench use it).

Threaded workers (gthread) with more threads than each worker's database connections
(DB_POOL_SIZE 6, DB_MAX_OVERFLOW 0: all kept open, since an overflow connection is opened
and closed again for each request, a new PostgreSQL process each time) and
DB_POOL_TIMEOUT=0: when every connection of a worker is busy, a further request is answered
503 + Retry-After at once instead of queueing, so twice the sustainable rate is shed rather
than turned into pool timeouts and unbounded latency (issue 8; `python -m bench.load`).

Every value can be changed from the environment: WEB_CONCURRENCY (workers), WEB_THREADS,
PORT, and the pool's DB_* variables read by webapp/config.py.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
keepalive = 5
backlog = 2048

os.environ.setdefault("DB_POOL_SIZE", "6")
os.environ.setdefault("DB_MAX_OVERFLOW", "0")
os.environ.setdefault("DB_POOL_TIMEOUT", "0")
