"""`solve`: instance dict in, result dict out (../shared/matching-format.md).

Communities up to `WHOLE_SIZE` members are optimised as one piece with dense pair
weights, so a member free at several slots can still change slot late in the search
(up to `SHARD_SIZE` members with the per-member polish too); larger ones are split by
region and slot into shards (larger shards up to `MID_SIZE` members, where time allows
bigger candidate pools), each solved the same way with fewer exchange rounds, then
merged with a border repair that places leftovers (the same path the worker runs as a
Celery chord, here in-process). With the v2 language rule, slots are (slot, language)
pairs throughout (`languages`), so every phase keeps the rule.
"""

from __future__ import annotations

import time

import numpy as np

from worker.matching.budget import Budget
from worker.matching.fields import InstanceError
from worker.matching.group_count import total_weight
from worker.matching.instance import Instance, parse_instance
from worker.matching.languages import language_split
from worker.matching.optimise import optimise
from worker.matching.progress import SILENT, ProgressCallback, Reporter
from worker.matching.result import Grouping, to_result
from worker.matching.shards import merge_groupings, plan_shards
from worker.matching.state import Assignment

SHARD_SIZE = 1200  # up to this size also per-member descent and tabu; shards' size above MID_SIZE
# Up to WHOLE_SIZE members: one piece. Its dense pair weights take n^2 x 8 bytes (0.8 GB at
# 10,000, 1.75 GiB peak in all), and cutting by slot first costs ~1.5% (10,000 members, with
# exchanges to the end in both: 13,445 as one piece, 13,239 in one shard per slot).
WHOLE_SIZE = 11_000
SHARD_EXCHANGE_ROUNDS = 2  # per shard: about half the exchanges' gain in a sixth of their time
# Up to MID_SIZE members: shards of MID_SHARD_SIZE (bigger candidate pools, about 2% better
# groups than shards of SHARD_SIZE, at about twice the time).
MID_SIZE = 150_000
MID_SHARD_SIZE = 4500


def solve(
    instance: dict,
    *,
    seed: int = 0,
    time_limit: float | None = None,
    shard: bool = False,
    progress: ProgressCallback | None = None,
) -> dict:
    """Group the instance's members; see `budget` for how seed and time_limit act.

    `shard`: the instance is one shard of a larger community (`shards.split_instance`), so
    it gets the search of the in-process shards, which keeps a million members in minutes.
    `progress`: called as `progress(phase, best_score, seconds)` as the search goes on
    (throttled, see `progress`); it never changes the result.
    """
    started = time.monotonic()
    reporter = Reporter(progress) if progress is not None else SILENT
    members = instance.get("members") if isinstance(instance, dict) else None
    size = len(members) if isinstance(members, list) else 0
    budget = Budget.start(time_limit, size)  # parsing counts against the limit too
    parsed = parse_instance(instance)
    split = language_split(parsed)
    if split is None:
        grouping = solve_parsed(parsed, seed, budget, shard, reporter)
    else:
        grouping = split.to_real(solve_parsed(split.instance, seed, budget, shard, reporter))
    if parsed.num_groups is not None and len(grouping.groups) != parsed.num_groups:
        raise InstanceError(
            "num_groups",
            f"could only form {len(grouping.groups)} of {parsed.num_groups} groups "
            "within the slots, seats, blocks and travel limits",
        )
    result = to_result(parsed, grouping, time.monotonic() - started)
    reporter.report("done", lambda: result["objective"], final=True)
    return result


def solve_parsed(
    instance: Instance,
    seed: int,
    budget: Budget,
    shard: bool = False,
    progress: Reporter = SILENT,
) -> Grouping:
    """Grouping of a parsed instance, sharded when it is large."""
    if instance.n <= WHOLE_SIZE:
        rng = np.random.default_rng(seed)
        if shard:
            return Grouping.from_state(_optimise_shard(instance, rng, budget))
        polish = instance.n <= SHARD_SIZE
        state = optimise(instance, rng, budget, polish=polish, progress=progress)
        return Grouping.from_state(state)
    shards = plan_shards(instance, MID_SHARD_SIZE if instance.n <= MID_SIZE else SHARD_SIZE, seed)
    parts = []
    solved = 0.0  # the finished shards' scores, the best known so far
    for k, part in enumerate(shards):
        share = len(part.members) / max(1, sum(len(s.members) for s in shards[k:]))
        rng = np.random.default_rng([seed, k])
        sub = _optimise_shard(part.instance, rng, budget.share(0.9 * share))
        solved += total_weight(sub)
        progress.report(f"shard {k + 1}/{len(shards)}", lambda v=solved: v)
        parts.append(Grouping.from_state(sub, part.members))
    return merge_groupings(instance, parts, seed)


def _optimise_shard(instance: Instance, rng: np.random.Generator, budget: Budget) -> Assignment:
    """One shard of a larger community: no polish, a few exchange rounds."""
    return optimise(instance, rng, budget, polish=False, exchange_rounds=SHARD_EXCHANGE_ROUNDS)
