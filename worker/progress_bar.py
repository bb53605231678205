"""A progress bar for the command line that stays quiet off a terminal.

`hearth match`, `hearth seed` and `hearth simulate` draw one on stderr while they work, but
only when both stdout and stderr are terminals: piped or redirected output (scripts, CI,
logs, `hearth match ... > result.json`) gets no bar and no control characters. Redraws are
throttled to `REDRAW` seconds, so a bar costs nothing measurable. Stdlib only, so the
engine's own command line can use it without the web app.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

#: At most one redraw per this many seconds (the last state is always drawn).
REDRAW = 0.1
WIDTH = 24


def on_terminal(stream: TextIO | None = None) -> bool:
    """True when stdout and `stream` (stderr by default) are both terminals."""
    stream = stream or sys.stderr
    try:
        return sys.stdout.isatty() and stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


class ProgressBar:
    """`label [#####-----]  40% note`, redrawn in place; `total=None` shows no bar."""

    def __init__(
        self,
        label: str,
        total: float | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.enabled = on_terminal(self.stream) if enabled is None else enabled
        self._drawn_at = -1e9
        self._width = 0
        self._lock = threading.Lock()

    def update(self, done: float, note: str = "", *, force: bool = False) -> None:
        """Show `done` (of `total`) and a short note; throttled unless `force`."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < REDRAW:
            return
        self._drawn_at = now
        line = self.label
        if self.total:
            share = max(0.0, min(1.0, done / self.total))
            filled = round(share * WIDTH)
            line += f" [{'#' * filled}{'-' * (WIDTH - filled)}] {share:4.0%}"
        if note:
            line += f" {note}"
        with self._lock:
            padding = " " * max(0, self._width - len(line))
            self.stream.write(f"\r{line}{padding}")
            self.stream.flush()
            self._width = len(line)

    def close(self, note: str = "") -> None:
        """Draw the final state (when a note is given) and end the line."""
        if not self.enabled or not self._width and not note:
            return
        if note:
            self.update(self.total or 0, note, force=True)
        self.stream.write("\n")
        self.stream.flush()
        self._width = 0


@contextmanager
def spinning(label: str, *, stream: TextIO | None = None) -> Iterator[ProgressBar]:
    """Show `label` with the seconds elapsed while the block runs (for work that reports no
    steps of its own); nothing at all off a terminal."""
    bar = ProgressBar(label, stream=stream)
    stop = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while not stop.wait(0.5):
            bar.update(0, f"{time.monotonic() - started:.0f} s", force=True)

    thread = threading.Thread(target=tick, daemon=True) if bar.enabled else None
    if thread:
        thread.start()
    try:
        yield bar
    finally:
        stop.set()
        if thread:
            thread.join()
        bar.close(f"{time.monotonic() - started:.1f} s" if bar.enabled else "")
