"""Sharded matching through real Celery workers gives a valid, complete result.

The `app` fixture makes the session broker the default Celery app the shards are sent with.
"""

from __future__ import annotations

import random

from worker.matching import check_result
from worker.sharding import run_sharded

TAGS = ["chess", "jazz", "hiking", "cooking", "film", "yoga", "climbing", "poetry"]


def _instance(n: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    return {
        "group_size": {"min": 3, "max": 5},
        "slots": [{"id": "tue"}, {"id": "sat"}],
        "members": [
            {
                "id": f"m{i}",
                "interests": rng.sample(TAGS, 3),
                "available": rng.choice([["tue"], ["sat"], ["tue", "sat"]]),
            }
            for i in range(n)
        ],
    }


def test_shards_solved_by_a_worker_merge_into_a_valid_result(app, celery_worker, tmp_path):  # type: ignore[no-untyped-def]
    instance = _instance(600)
    result = run_sharded(
        instance, workdir=tmp_path, max_shard_size=150, time_limit=1.0, timeout=120
    )
    assert check_result(instance, result) == []
    assert len(list(tmp_path.glob("shard-*.json.result.json"))) >= 4
    assert result["placed"] == 600
    assert len({m for g in result["groups"] for m in g["members"]}) == 600
