"""The wall-clock budget keeps time to finish after the search, more for more members."""

from __future__ import annotations

import pytest

from worker.matching.budget import FINISH_PER_MEMBER, FINISH_SHARE_MAX, Budget


def test_the_search_deadline_leaves_time_to_finish_per_member() -> None:
    small, large = Budget.start(5.0, 100), Budget.start(5.0, 10_000)
    kept = small.left() - large.left()
    assert kept == pytest.approx(FINISH_PER_MEMBER * 9_900, abs=0.05)
    huge = Budget.start(5.0, 10_000_000)
    assert small.left() - huge.left() == pytest.approx(
        FINISH_SHARE_MAX * 5.0 - FINISH_PER_MEMBER * 100, abs=0.05
    ), "capped at a share of the limit"
    assert Budget.start(None, 10_000).deterministic
