"""How much search to do: a deterministic work budget, or a wall-clock limit.

With `time_limit=None` the search is bounded only by iteration counts derived from the
instance size, so the same input and seed always give the same result (tabu search of
roughly 0.3 s for 30 members, 1 s for 120, 3.5 s at 500; larger instances stop at a local
optimum of the batched descent; up to 120 members with a free number of groups, each
group count's search stops once it stalls, see `optimise`). With a `time_limit` the
engine searches until that many seconds have passed and returns the best found by then,
so the result can differ between runs or machines of different speed; construction,
repair and the first descent always run to completion, so a very tight limit can be
exceeded.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

ITERATION_OVERHEAD = 200e-6  # seconds per tabu iteration, plus PAIR_COST per pair
PAIR_COST = 5e-9
DESCENT_PASSES = 25
BATCH_ROUNDS = 400
EXCHANGE_ROUNDS = 200  # a cap; rounds of swaps and 3-cycles stop when none improves
UNLIMITED_ITERATIONS = 1 << 40
RESERVE_SHARE = 0.1  # of a time limit kept (up to RESERVE_MAX s) to finish and report
RESERVE_MAX = 0.3
FINISH_SECONDS = 0.03
#: Kept per member to finish after the search (finishing passes, the result with its "why
#: together" lines: about 0.7 s at 10,000 members on the 2-core bench machine), at most
#: FINISH_SHARE_MAX of the limit.
FINISH_PER_MEMBER = 70e-6
FINISH_SHARE_MAX = 0.15


@dataclass(frozen=True)
class Budget:
    """Search limits: an absolute monotonic deadline and iteration caps."""

    deadline: float
    deterministic: bool

    @staticmethod
    def start(time_limit: float | None, members: int = 0) -> Budget:
        """A budget starting now for an instance of `members` members; None =
        deterministic iteration budget."""
        if time_limit is None:
            return Budget(deadline=math.inf, deterministic=True)
        reserve = min(RESERVE_SHARE * time_limit, RESERVE_MAX) + FINISH_SECONDS
        reserve += min(FINISH_PER_MEMBER * members, FINISH_SHARE_MAX * time_limit)
        search = max(0.0, time_limit - reserve)
        return Budget(deadline=time.monotonic() + search, deterministic=False)

    def tabu_iterations(self, n: int) -> int:
        """Tabu iterations for n members (each costs about n^2 pair evaluations)."""
        if not self.deterministic:
            return UNLIMITED_ITERATIONS
        seconds = 0.1 + n / 150
        return int(seconds / (ITERATION_OVERHEAD + PAIR_COST * n * n))

    def share(self, fraction: float) -> Budget:
        """A budget ending after `fraction` of the time that remains (for shards)."""
        if self.deterministic:
            return self
        now = time.monotonic()
        return Budget(deadline=now + max(0.0, self.deadline - now) * fraction, deterministic=False)

    def left(self) -> float:
        """Seconds left (inf when deterministic)."""
        return self.deadline - time.monotonic()
