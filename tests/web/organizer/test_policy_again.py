"""Under "balanced" a one-sided "meet again" draws a pair back together; "not for me" wins."""

from __future__ import annotations

import pytest

from tests.web.organizer.conftest import community_that_met, make_meetup, opt_in_all
from webapp.extensions import db
from webapp.models import MatchingPolicy, PairFeedback
from webapp.models.groups import PairChoice
from webapp.services import matching


@pytest.fixture()
def trio(app):  # type: ignore[no-untyped-def]
    """A community whose three members met once in one group."""
    community, members, past = community_that_met("Trio", members=3, group_size=3)
    for rater, ratee, choice in ((0, 1, "again"), (0, 2, "again"), (2, 0, "not_for_me")):
        db.session.add(
            PairFeedback(
                meetup_id=past.id,
                rater_id=members[rater].id,
                ratee_id=members[ratee].id,
                choice=PairChoice(choice),
            )
        )
    db.session.commit()
    return community, members


@pytest.mark.parametrize("policy", list(MatchingPolicy))
def test_one_sided_again_counts_only_where_the_policy_says(trio, policy):  # type: ignore[no-untyped-def]
    community, m = trio
    meetup = make_meetup(community)
    meetup.policy = policy
    opt_in_all(meetup, m)
    weights = matching.POLICIES[policy]
    bonds = {
        (int(b["a"][1:]), int(b["b"][1:])): b["bond"]
        for b in matching.build_instance(meetup)["pairs"]
    }
    one_sided = weights.per_meeting + weights.each_again
    assert bonds.get((m[0].id, m[1].id), 0) == pytest.approx(one_sided)
    countered = weights.per_meeting + weights.each_again + weights.not_for_me
    assert bonds.get((m[0].id, m[2].id), 0) == pytest.approx(countered)
    if policy == MatchingPolicy.BALANCED:
        assert weights.each_again > 0 and countered < 0, "not for me outweighs meet again"
