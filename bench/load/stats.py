"""Figures from raw samples: rate over the measured window, latency percentiles, status mix."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    """What one measured window produced."""

    count: int
    seconds: float
    p50: float
    p95: float
    p99: float
    statuses: Counter[int]

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def errors(self) -> int:
        """No answer (status 0) or a 5xx or 4xx: anything a member would see as a failure."""
        return sum(n for status, n in self.statuses.items() if status == 0 or status >= 400)

    @property
    def server_errors(self) -> int:
        """500-class answers other than the deliberate 503 (e.g. pool timeouts as 500s)."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)

    def status_text(self) -> str:
        return " ".join(
            f"{'none' if status == 0 else status}:{n}"
            for status, n in sorted(self.statuses.items())
        )


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of the values; nan for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def figures(latencies_ms: list[float], statuses: list[int], seconds: float) -> Figures:
    """Figures for the samples of one window of `seconds`."""
    return Figures(
        count=len(latencies_ms),
        seconds=seconds,
        p50=percentile(latencies_ms, 0.50),
        p95=percentile(latencies_ms, 0.95),
        p99=percentile(latencies_ms, 0.99),
        statuses=Counter(statuses),
    )
