"""Matching policies in words become pair bonds; paused members are left out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.web.organizer.conftest import community_that_met, make_meetup, make_members, opt_in_all
from webapp.extensions import db
from webapp.models import (
    Group,
    GroupMember,
    MatchingPolicy,
    Meetup,
    MeetupStatus,
    Member,
    PairFeedback,
)
from webapp.models.groups import PairChoice
from webapp.services import matching
from webapp.services.communities import create_community, join


@pytest.fixture()
def club(app):  # type: ignore[no-untyped-def]
    """An organizer and nine members who met before in three groups of three."""
    return community_that_met("Club", members=9, group_size=3)


def _said(meetup: Meetup, rater: Member, ratee: Member, choice: str) -> None:
    db.session.add(
        PairFeedback(
            meetup_id=meetup.id, rater_id=rater.id, ratee_id=ratee.id, choice=PairChoice(choice)
        )
    )


def _bonds(meetup: Meetup) -> dict[tuple[int, int], float]:
    return {
        (int(b["a"][1:]), int(b["b"][1:])): b["bond"]
        for b in matching.build_instance(meetup)["pairs"]
    }


@pytest.mark.parametrize(
    ("policy", "mutual_pair", "met_pair", "not_for_me_pair"),
    [
        # hand-computed from POLICIES: mutual + met once; met once; met once + one "not for me"
        # (balanced also adds +1.0 per "meet again" rating: two for the mutual pair)
        (MatchingPolicy.BALANCED, 4.0 + 2 * 1.0 + 0.6, 0.6, 0.6 - 2.0),
        (MatchingPolicy.NEW_FACES, -1.0, -1.0, -2.0),
        (MatchingPolicy.DEEPEN, 2.0 + 0.4, 0.4, 0.4 - 1.0),
    ],
)
def test_each_policy_translates_history_into_bonds(
    club, policy, mutual_pair, met_pair, not_for_me_pair
):  # type: ignore[no-untyped-def]
    community, m, past = club
    _said(past, m[0], m[1], "again")
    _said(past, m[1], m[0], "again")
    _said(past, m[3], m[4], "not_for_me")
    meetup = make_meetup(community)
    meetup.policy = policy
    opt_in_all(meetup, m)
    bonds = _bonds(meetup)
    assert bonds[(m[0].id, m[1].id)] == pytest.approx(mutual_pair)
    assert bonds[(m[0].id, m[2].id)] == pytest.approx(met_pair)
    assert bonds.get((m[3].id, m[4].id), 0) == pytest.approx(not_for_me_pair)
    assert (m[0].id, m[3].id) not in bonds, "strangers have no bond"


def _groups(meetup: Meetup) -> list[set[int]]:
    db.session.expire_all()
    return [{s.member_id for s in g.members} for g in meetup.groups]


def test_new_faces_mixes_the_earlier_groups(club):  # type: ignore[no-untyped-def]
    community, members, _ = club
    meetup = make_meetup(community, group_min=3, group_max=3)
    meetup.policy = MatchingPolicy.NEW_FACES
    opt_in_all(meetup, members)
    matching.run_matching_round(meetup.id)
    earlier = [set(m.id for m in members[i : i + 3]) for i in range(0, 9, 3)]
    for group in _groups(meetup):
        assert all(len(group & old) == 1 for old in earlier), "one from each earlier group"


def test_deepen_brings_groups_back_together(club):  # type: ignore[no-untyped-def]
    community, members, past = club
    for i in range(0, 9, 3):
        trio = members[i : i + 3]
        for a in trio:
            for b in trio:
                if a is not b:
                    _said(past, a, b, "again")
    meetup = make_meetup(community, group_min=3, group_max=3)
    meetup.policy = MatchingPolicy.DEEPEN
    opt_in_all(meetup, members)
    matching.run_matching_round(meetup.id)
    earlier = [set(m.id for m in members[i : i + 3]) for i in range(0, 9, 3)]
    assert sorted(map(sorted, _groups(meetup))) == sorted(map(sorted, earlier))


def test_welcome_newcomers_bonds_first_timers_to_well_rated_regulars(club):  # type: ignore[no-untyped-def]
    community, members, past = club
    second = Meetup(
        community_id=community.id,
        title="Second",
        optin_deadline=datetime(2020, 2, 1),
        status=MeetupStatus.MATCHED,
    )
    db.session.add(second)
    db.session.flush()
    group = Group(meetup_id=second.id, slot_id=past.groups[0].slot_id)
    group.members = [GroupMember(meetup_id=second.id, member_id=members[0].id)]
    db.session.add(group)
    _said(past, members[1], members[0], "again")
    _said(past, members[2], members[0], "again")
    newcomers = make_members(2, prefix="n")
    for person in newcomers:
        join(person, community)
    meetup = make_meetup(community)
    meetup.welcome_newcomers = True
    opt_in_all(meetup, [*members, *newcomers])
    bonds = _bonds(meetup)
    regular = members[0]  # placed twice, two "meet again" received
    for newcomer in newcomers:
        assert bonds[(regular.id, newcomer.id)] == pytest.approx(matching.WELCOME_BOND)
        assert (members[1].id, newcomer.id) not in bonds, "placed once: not a regular yet"
    entries = {e["id"]: e for e in matching.build_instance(meetup)["members"]}
    assert entries[f"m{newcomers[0].id}"]["priority"] == 1.0 + matching.NEWCOMER_PRIORITY
    meetup.welcome_newcomers = False
    assert (regular.id, newcomers[0].id) not in _bonds(meetup)


def test_first_good_meetup_first_reaches_the_instance(club):  # type: ignore[no-untyped-def]
    """Members with no "meet again" given or received (in this community) prefer the
    smallest groups; connected members keep their own preference; the organizer's range
    is kept as set."""
    community, m, past = club
    _said(past, m[0], m[1], "again")  # m0 gave, m1 received: both connected
    m[0].preferred_group_size, m[1].preferred_group_size = 6, 4
    m[2].preferred_group_size = 5  # not connected yet: asks for the minimum
    other = create_community(m[8], "Other club")
    elsewhere = Meetup(
        community_id=other.id,
        title="Elsewhere",
        optin_deadline=datetime(2020, 1, 1),
        status=MeetupStatus.MATCHED,
    )
    db.session.add(elsewhere)
    db.session.flush()
    _said(elsewhere, m[3], m[4], "again")  # feedback in another community does not count
    meetup = make_meetup(community)  # groups of 3-6
    opt_in_all(meetup, m)
    db.session.commit()
    instance = matching.build_instance(meetup)
    assert instance["group_size"] == {"min": 3, "max": 6}, "the organizer's range"
    size = {int(e["id"][1:]): e.get("preferred_size") for e in instance["members"]}
    assert (size[m[0].id], size[m[1].id]) == (6, 4), "connected: their own preference"
    assert all(size[p.id] == 3 for p in m[2:]), "not yet connected: the minimum"
    matching.run_matching_round(meetup.id)
    assert sum(map(len, _groups(meetup))) == 9


def test_paused_members_are_left_out(club):  # type: ignore[no-untyped-def]
    community, members, _ = club
    members[0].paused_until = datetime.now() + timedelta(days=7)
    members[1].paused_until = datetime(2020, 1, 1)  # paused in the past: active again
    meetup = make_meetup(community)
    opt_in_all(meetup, members)
    ids = {e["id"] for e in matching.build_instance(meetup)["members"]}
    assert f"m{members[0].id}" not in ids and f"m{members[1].id}" in ids
    assert len(ids) == 8
