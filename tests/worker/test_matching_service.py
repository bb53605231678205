"""The adapter between the database and the engine: instance building and storing groups."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import (
    Availability,
    GroupMember,
    Meetup,
    MeetupStatus,
    Member,
    OptIn,
    OutboxEmail,
    PairFeedback,
)
from webapp.models.groups import PairChoice
from webapp.models.meetups import MatchingPolicy
from webapp.services import match_review, matching
from webapp.services.communities import create_community, join
from webapp.services.meetups import SlotSpec, schedule_meetup
from webapp.services.profiles import interests_by_name
from worker.matching import check_result

TUESDAY_7PM = datetime(2030, 1, 1, 19, 0)  # 1 Jan 2030 is a Tuesday


@pytest.fixture()
def meetup(app):  # type: ignore[no-untyped-def]
    """A community (UTC) with eight opted-in members and a Tuesday-evening and a Saturday slot."""
    people = []
    for n in range(9):
        person = Member(email=f"p{n}@example.org", password_hash="x", display_name=f"P{n} Person")
        person.interests = interests_by_name(["chess", "go"] if n % 2 else ["jazz", "wine"])
        db.session.add(person)
        people.append(person)
    db.session.commit()
    community = create_community(people[0], "Club")
    for person in people[1:]:
        join(person, community)
    found = schedule_meetup(
        community,
        title="Round",
        optin_deadline_local=datetime.now() + timedelta(days=1),
        slots=[
            SlotSpec(TUESDAY_7PM, "Café", capacity=20),
            SlotSpec(TUESDAY_7PM + timedelta(days=4, hours=-9), "Library", capacity=20),
        ],
    )
    for person in people[1:]:
        db.session.add(OptIn(meetup_id=found.id, member_id=person.id))
    db.session.commit()
    return found


def _people() -> list[Member]:
    return list(db.session.scalars(select(Member).order_by(Member.id)))


def test_instance_carries_slots_interests_and_availability(meetup):  # type: ignore[no-untyped-def]
    p = _people()
    p[1].availability = [Availability(weekday=1, part="evening")]  # Tuesday evening only
    p[2].availability = [Availability(weekday=0, part="morning")]  # neither slot
    db.session.commit()
    instance = matching.build_instance(meetup)
    tuesday, saturday = (f"slot-{s.id}" for s in meetup.slots)
    assert instance["group_size"] == {"min": 3, "max": 6}
    assert instance["slots"] == [{"id": tuesday, "seats": 20}, {"id": saturday, "seats": 20}]
    entries = {e["id"]: e for e in instance["members"]}
    assert len(entries) == 8 and f"m{p[0].id}" not in entries  # the organizer did not opt in
    assert entries[f"m{p[1].id}"]["available"] == [tuesday]
    assert entries[f"m{p[2].id}"]["available"] == []
    assert "available" not in entries[f"m{p[3].id}"]  # gave no availability: any slot
    assert entries[f"m{p[3].id}"]["interests"] == ["chess", "go"]


def test_bonds_follow_the_policy_and_not_for_me_lowers(meetup):  # type: ignore[no-untyped-def]
    p = _people()
    for rater, ratee, choice in [
        (1, 2, "again"),
        (2, 1, "again"),
        (3, 4, "again"),
        (5, 6, "not_for_me"),
    ]:
        db.session.add(
            PairFeedback(
                meetup_id=meetup.id,
                rater_id=p[rater].id,
                ratee_id=p[ratee].id,
                choice=PairChoice(choice),
            )
        )
    db.session.commit()
    mutual, one_sided, not_for_me = (
        (f"m{p[a].id}", f"m{p[b].id}") for a, b in [(1, 2), (3, 4), (5, 6)]
    )

    meetup.policy = MatchingPolicy.DEEPEN
    db.session.commit()
    bonds = {(b["a"], b["b"]): b["bond"] for b in matching.build_instance(meetup)["pairs"]}
    deepen = matching.POLICIES[MatchingPolicy.DEEPEN]
    assert bonds == {mutual: deepen.mutual_again, not_for_me: deepen.not_for_me}, (
        "deepen counts only mutual 'meet again'"
    )

    # balanced (the default) also counts each one-sided "meet again" (+1 per rating)
    meetup.policy = MatchingPolicy.BALANCED
    db.session.commit()
    bonds = {(b["a"], b["b"]): b["bond"] for b in matching.build_instance(meetup)["pairs"]}
    balanced = matching.POLICIES[MatchingPolicy.BALANCED]
    assert balanced.each_again > 0
    assert bonds == {
        mutual: balanced.mutual_again + 2 * balanced.each_again,
        one_sided: balanced.each_again,
        not_for_me: balanced.not_for_me,
    }


def test_members_left_out_before_get_priority(app, meetup):  # type: ignore[no-untyped-def]
    p = _people()
    earlier = Meetup(
        community_id=meetup.community_id,
        title="Earlier",
        optin_deadline=datetime(2020, 1, 1),
        status=MeetupStatus.MATCHED,
    )
    db.session.add(earlier)
    db.session.flush()
    db.session.add(OptIn(meetup_id=earlier.id, member_id=p[4].id))
    db.session.commit()
    entries = {e["id"]: e for e in matching.build_instance(meetup)["members"]}
    assert entries[f"m{p[4].id}"]["priority"] == 1.5
    assert "priority" not in entries[f"m{p[5].id}"]


def test_a_round_stores_valid_groups_and_one_email_each_once(meetup):  # type: ignore[no-untyped-def]
    instance = matching.build_instance(meetup)
    assert matching.run_matching_round(meetup.id) == [], "a run stores a preview, sends nothing"
    db.session.expire_all()
    assert meetup.status == MeetupStatus.PREVIEWED and meetup.matched_at is not None
    email_ids = match_review.publish(meetup, None)
    db.session.expire_all()
    assert meetup.status == MeetupStatus.MATCHED
    groups = [[f"m{s.member_id}" for s in g.members] for g in meetup.groups]
    result = {
        "groups": [
            {"members": members, "slot": f"slot-{g.slot_id}"}
            for members, g in zip(groups, meetup.groups, strict=True)
        ],
        "unmatched": [],
    }
    assert check_result(instance, result) == []
    placed = sum(len(g) for g in groups)
    assert placed == 8 and len(email_ids) == 8
    assert matching.run_matching_round(meetup.id) == []  # a second run is a no-op
    assert db.session.scalar(select(func.count()).select_from(GroupMember)) == 8
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 8
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert {e.kind for e in emails} == {"match"}


def test_due_meetups_are_those_past_their_deadline(meetup):  # type: ignore[no-untyped-def]
    assert matching.due_meetup_ids() == []
    meetup.optin_deadline = datetime(2020, 1, 1)
    db.session.commit()
    assert matching.due_meetup_ids() == [meetup.id]
    matching.run_matching_round(meetup.id, notify=False)
    assert matching.due_meetup_ids() == []
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
