"""Matching very large communities across Celery workers.

The pure engine splits an instance into independent shards (by slot and region) and
merges their results, repairing the borders (`worker.matching.shards`). This module runs
the shards as a Celery group: each task reads its shard from a file and writes its result
next to it, so messages carry paths, not megabytes, and no result backend is needed.
The folder must be shared by the caller and the workers (one machine, or a shared volume).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from celery import group, shared_task

from worker.matching import solve
from worker.matching.shards import merge_results, split_instance

log = logging.getLogger(__name__)


@shared_task(name="hearth.solve_shard")
def solve_shard(shard_path: str, seed: int, time_limit: float | None) -> None:
    """Solve one shard file and write `<shard>.result.json` atomically."""
    shard = json.loads(Path(shard_path).read_text())
    result = solve(shard, seed=seed, time_limit=time_limit, shard=True)
    partial = Path(f"{shard_path}.partial")
    partial.write_text(json.dumps(result))
    os.replace(partial, _result_path(shard_path))
    log.info("shard %s solved: %s placed", shard_path, result["placed"])


def _result_path(shard_path: str | Path) -> Path:
    return Path(f"{shard_path}.result.json")


def run_sharded(
    instance: dict,
    *,
    workdir: Path,
    max_shard_size: int = 20_000,
    seed: int = 0,
    time_limit: float | None = None,
    timeout: float = 900,
) -> dict:
    """Split, solve the shards on the workers in parallel, then merge and repair in-process."""
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, shard in enumerate(split_instance(instance, max_shard_size)):
        path = workdir / f"shard-{number:04d}.json"
        _result_path(path).unlink(missing_ok=True)
        path.write_text(json.dumps(shard))
        paths.append(path)
    group(solve_shard.s(str(p), seed + n, time_limit) for n, p in enumerate(paths)).apply_async()
    log.info("%s shards queued", len(paths))
    deadline = started + timeout
    while not all(_result_path(p).exists() for p in paths):
        if time.monotonic() > deadline:
            raise TimeoutError(f"shards not solved within {timeout:.0f} s")
        time.sleep(0.5)
    results = [json.loads(_result_path(p).read_text()) for p in paths]
    merged = merge_results(instance, results)
    merged["seconds"] = round(time.monotonic() - started, 3)
    return merged
