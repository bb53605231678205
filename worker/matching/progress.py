"""Progress reports from a running search, for whoever waits on it (a page, a terminal).

The engine stays pure: `solve(..., progress=callable)` takes any callable and calls it with
plain values, `progress(phase, score, seconds)`: the phase (a short word such as
"construct" or "tabu"), the best total score so far (the highest reported: a search that
tries another number of groups may pass through lower ones), and the seconds since the
search started; the final report, "done", gives the result's own score. Reports are
throttled to one per `EVERY` seconds (the final one always goes out), and without a
callable nothing is computed at all, so a report costs nothing measurable next to the
phases between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: The callback's type: phase, best score so far, seconds since the search started.
ProgressCallback = Callable[[str, float, float], object]

#: At most one report per this many seconds (besides the final one).
EVERY = 0.25


@dataclass
class Reporter:
    """Throttles reports to a callback; a Reporter without one does nothing."""

    callback: ProgressCallback | None = None
    every: float = EVERY
    started: float = field(default_factory=time.monotonic)
    best: float = float("-inf")
    _last: float = -1e9

    def report(self, phase: str, score: Callable[[], float], *, final: bool = False) -> None:
        """Report `phase` with `score()` (called only when a report goes out)."""
        if self.callback is None:
            return
        now = time.monotonic()
        if not final and now - self._last < self.every:
            return
        self._last = now
        value = float(score())
        self.best = value if final else max(self.best, value)
        self.callback(phase, round(self.best, 4), round(now - self.started, 3))


#: The shared do-nothing reporter.
SILENT = Reporter()
