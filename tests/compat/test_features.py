"""Pair features on hand-made pairs: each feature means what features.py says."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pytest

from worker.compat import FEATURE_SET, MemberFacts, PairFacts, feature_rows, label, pair_features

COL = {name: k for k, name in enumerate(FEATURE_SET)}
WHEN = PairFacts(when=date(2026, 3, 2), group_size=4)


def test_identical_members_share_everything() -> None:
    m = MemberFacts(
        interests=["Hiking", "chess"],
        about="astronomy and sourdough bread",
        languages=["en", "es"],
        home=(52.5, 13.4),
        weekly={"tue-19", "sat-11"},
        joined=date(2026, 1, 5),
    )
    row = pair_features(m, m, WHEN)
    assert row.shape == (len(FEATURE_SET),)
    assert row[COL["interest_sim"]] == pytest.approx(1.0)
    assert row[COL["about_sim"]] == pytest.approx(1.0)
    assert row[COL["shared_languages"]] == 2
    assert row[COL["distance_km"]] == pytest.approx(0.0)
    assert row[COL["availability_overlap"]] == pytest.approx(1.0)
    assert row[COL["group_size"]] == 4
    assert row[COL["membership_weeks_min"]] == pytest.approx(8.0)


def test_strangers_share_nothing_and_unknowns_stay_unknown() -> None:
    a = MemberFacts(interests=["hiking"], about="", languages=["en"], weekly={"tue-19"})
    b = MemberFacts(interests=["chess"], about="knitting", languages=[], weekly=set())
    row = pair_features(a, b, WHEN)
    assert row[COL["interest_sim"]] == 0.0
    assert row[COL["about_sim"]] == 0.0  # a wrote nothing
    for unknown in ("shared_languages", "distance_km", "availability_overlap"):
        assert math.isnan(row[COL[unknown]])
    assert math.isnan(row[COL["membership_weeks_min"]])


def test_distance_overlap_membership_and_history() -> None:
    a = MemberFacts(home=(52.0, 13.0), weekly={"mon", "tue"}, joined=date(2026, 1, 5))
    b = MemberFacts(home=(53.0, 13.0), weekly={"tue", "wed"}, joined=datetime(2026, 2, 2, 9))
    facts = PairFacts(
        when=datetime(2026, 3, 2, 19), group_size=6, met_before=2, again_before=1,
        not_for_me_before=1,
    )  # fmt: skip
    row = pair_features(a, b, facts)
    assert row[COL["distance_km"]] == pytest.approx(111.2, abs=0.1)  # one degree of latitude
    assert row[COL["availability_overlap"]] == pytest.approx(1 / 3)
    assert row[COL["membership_weeks_min"]] == pytest.approx(4.0)  # the newer member
    assert row[COL["group_size"]] == 6
    assert [row[COL[k]] for k in ("met_before", "again_before", "not_for_me_before")] == [2, 1, 1]


def test_vectorised_rows_match_one_pair_at_a_time_with_community_idf() -> None:
    people = [
        MemberFacts(interests=["a", "b"]),
        MemberFacts(interests=["a", "c"]),
        MemberFacts(interests=["b", "c"]),
    ]
    pairs = [PairFacts(WHEN.when, 3, 0, 1), PairFacts(WHEN.when, 3, 1, 2)]
    rows = feature_rows(people, pairs)
    assert rows.shape == (2, len(FEATURE_SET))
    # every tag is used twice among three members: equal IDF, so cosine = 1/2
    assert rows[:, COL["interest_sim"]] == pytest.approx([0.5, 0.5])
    assert np.isnan(feature_rows(people, [])).shape == (0, len(FEATURE_SET))


def test_label_is_either_meet_again_and_silence_is_no_example() -> None:
    assert label(True, None) == 1
    assert label(False, True) == 1
    assert label(False, None) == 0
    assert label(False, False) == 0
    assert label(None, None) is None
