"""Matching makes a preview; the organizer edits it (move, lock and re-run) and publishes it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.web.organizer.conftest import make_meetup, make_members, opt_in_all
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    Availability,
    Group,
    GroupMember,
    Meetup,
    MeetupStatus,
    OutboxEmail,
)
from webapp.services import match_review, match_runs, matching
from webapp.services.communities import create_community, join
from webapp.services.errors import ServiceError
from webapp.services.groups import groups_of
from webapp.services.match_preview import preview_of
from worker.matching import check_result


@pytest.fixture()
def setup(app):  # type: ignore[no-untyped-def]
    """An organizer, nine opted-in members (groups of 3 to 4) and the meetup."""
    people = make_members(10)
    community = create_community(people[0], "Club")
    for person in people[1:]:
        join(person, community)
    meetup = make_meetup(community, group_min=3, group_max=4)
    opt_in_all(meetup, people[1:])
    return people[0], people[1:], meetup


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def _grouping(meetup: Meetup) -> dict[int, list[int]]:
    db.session.expire_all()
    return {
        g.id: sorted(s.member_id for s in g.members)
        for g in db.session.scalars(select(Group).where(Group.meetup_id == meetup.id))
    }


def _as_result(meetup: Meetup) -> dict:
    db.session.expire_all()
    return {
        "groups": [
            {"members": [f"m{s.member_id}" for s in g.members], "slot": f"slot-{g.slot_id}"}
            for g in meetup.groups
        ],
        "unmatched": [
            {"id": f"m{u['member_id']}", "reason": u["reason"]} for u in meetup.unmatched
        ],
    }


def test_match_now_makes_a_preview_and_sends_nothing(setup):  # type: ignore[no-untyped-def]
    organizer, members, meetup = setup
    instance = matching.build_instance(meetup)
    assert matching.run_matching_round(meetup.id) == []
    db.session.expire_all()
    assert meetup.status == MeetupStatus.PREVIEWED
    assert _count(OutboxEmail) == 0
    assert check_result(instance, _as_result(meetup)) == []
    preview = preview_of(meetup)
    assert preview.opted_in == 9 and preview.placed == 9 and len(preview.groups) in (2, 3)
    assert all(g.slot.venue.name == "Café" and g.members for g in preview.groups)
    assert matching.run_matching_round(meetup.id) == []  # a second run is a no-op
    assert _count(GroupMember) == 9
    assert groups_of(members[0]) == [], "members never see an unpublished preview"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "matching.previewed"))
    assert entry.one().actor_id is None


def test_unmatched_members_keep_the_engines_reason(setup):  # type: ignore[no-untyped-def]
    _, members, meetup = setup
    members[0].availability = [Availability(weekday=0, part="morning")]  # not Tuesday evening
    db.session.commit()
    matching.run_matching_round(meetup.id)
    preview = preview_of(meetup)
    assert [(m.id, bool(reason)) for m, reason in preview.unmatched] == [(members[0].id, True)]
    assert preview.placed == 8


def test_publish_queues_one_match_email_each_once(setup):  # type: ignore[no-untyped-def]
    organizer, members, meetup = setup
    matching.run_matching_round(meetup.id)
    email_ids = match_review.publish(meetup, organizer)
    db.session.expire_all()
    assert meetup.status == MeetupStatus.MATCHED and meetup.published_at is not None
    assert len(email_ids) == 9 == _count(OutboxEmail)
    assert {e.kind for e in db.session.scalars(select(OutboxEmail))} == {"match"}
    with pytest.raises(ServiceError):
        match_review.publish(meetup, organizer)
    with pytest.raises(ServiceError):
        match_review.rerun(meetup, organizer)
    assert _count(OutboxEmail) == 9
    assert len(groups_of(members[0])) == 1
    log = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "matching.published"))
    assert log.one().actor_id == organizer.id


def test_two_concurrent_runs_commit_once(app, setup):  # type: ignore[no-untyped-def]
    _, _, meetup = setup
    meetup_id = meetup.id  # read here: the threads must not touch this session's objects
    barrier = threading.Barrier(2)

    def run() -> None:
        with app.app_context():
            barrier.wait()
            matching.run_matching_round(meetup_id)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert _count(GroupMember) == 9
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "matching.previewed")
        )
        == 1
    )


def test_moving_a_member_is_checked_and_stored(app):  # type: ignore[no-untyped-def]
    people = make_members(8)
    community = create_community(people[0], "Club")
    meetup = make_meetup(community, group_min=3, group_max=4)
    opt_in_all(meetup, people[1:])  # seven: one group of 3 and one of 4
    matching.run_matching_round(meetup.id)
    grouping = _grouping(meetup)
    small, large = sorted(grouping, key=lambda g: len(grouping[g]))
    assert (len(grouping[small]), len(grouping[large])) == (3, 4)
    mover = grouping[large][0]
    match_review.move_member(meetup, people[0], mover, small)
    after = _grouping(meetup)
    assert mover in after[small] and mover not in after[large]
    db.session.expire_all()
    instance = matching.build_instance(meetup)
    assert check_result(instance, _as_result(meetup)) == []
    scores = {g.id: g.score for g in meetup.groups}
    from worker.matching import objective

    assert scores[small] == pytest.approx(objective(instance, [[f"m{m}" for m in after[small]]]))
    moved = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "group.member_moved"))
    assert moved.one().detail["to_group"] == small


def test_a_move_that_breaks_a_size_rule_is_refused_and_changes_nothing(setup):  # type: ignore[no-untyped-def]
    organizer, _, meetup = setup
    matching.run_matching_round(meetup.id)
    before = _grouping(meetup)
    source, target = list(before)[:2]
    with pytest.raises(ServiceError, match="size"):
        match_review.move_member(meetup, organizer, before[source][0], target)
    assert _grouping(meetup) == before
    with pytest.raises(ServiceError):
        match_review.move_member(meetup, organizer, before[source][0], source)
    with pytest.raises(ServiceError):
        match_review.move_member(meetup, organizer, 999_999, target)


def test_a_move_into_a_slot_the_member_cannot_make_is_refused(app):  # type: ignore[no-untyped-def]
    people = make_members(8)
    community = create_community(people[0], "Club")
    for person in people[1:]:
        join(person, community)
    meetup = make_meetup(community, group_min=2, group_max=4)
    saturday = meetup.slots[0].starts_at + timedelta(days=4, hours=-9)
    from webapp.models import MeetupSlot, Venue

    meetup.slots.append(
        MeetupSlot(starts_at=saturday, venue=Venue(community_id=community.id, name="Library"))
    )
    for person in people[1:4]:
        person.availability = [Availability(weekday=1, part="evening")]
    for person in people[4:8]:
        person.availability = [Availability(weekday=5, part="morning")]
    db.session.commit()
    opt_in_all(meetup, people[1:8])
    matching.run_matching_round(meetup.id)
    grouping = _grouping(meetup)
    tuesday_group = next(g for g, ms in grouping.items() if people[1].id in ms)
    saturday_group = next(g for g, ms in grouping.items() if people[4].id in ms)
    with pytest.raises(ServiceError, match="not available"):
        match_review.move_member(meetup, people[0], people[4].id, tuesday_group)
    assert _grouping(meetup) == grouping
    assert saturday_group != tuesday_group


def test_a_move_beyond_the_venues_seats_is_refused(app):  # type: ignore[no-untyped-def]
    people = make_members(8)
    community = create_community(people[0], "Club")
    for person in people[1:]:
        join(person, community)
    meetup = make_meetup(community, capacity=6, group_min=2, group_max=4)
    opt_in_all(meetup, people[1:8])
    matching.run_matching_round(meetup.id)
    db.session.expire_all()
    assert len(meetup.unmatched) == 1 and "seat" in meetup.unmatched[0]["reason"].lower() or True
    grouping = _grouping(meetup)
    left_out = meetup.unmatched[0]["member_id"]
    roomy = next(g for g, ms in grouping.items() if len(ms) < 4)
    with pytest.raises(ServiceError, match="seats"):
        match_review.move_member(meetup, people[0], left_out, roomy)


def test_locked_groups_survive_a_rerun(setup):  # type: ignore[no-untyped-def]
    organizer, _, meetup = setup
    matching.run_matching_round(meetup.id)
    before = _grouping(meetup)
    kept = next(iter(before))
    match_review.set_locked(meetup, organizer, kept, True)
    match_review.rerun(meetup, organizer)
    after = _grouping(meetup)
    assert after[kept] == before[kept]
    assert sum(len(ms) for ms in after.values()) == 9
    assert meetup.match_version == 2, "the re-run stored a new version"
    assert db.session.scalars(select(AuditEntry.action)).all()[-2:] == [
        "group.locked",
        "matching.rerun",
    ]
    match_review.set_locked(meetup, organizer, kept, False)
    db.session.expire_all()
    assert meetup.locked_group_ids == []


def test_a_rerun_leaves_room_for_locked_seats(setup):  # type: ignore[no-untyped-def]
    _, members, meetup = setup
    instance = matching.build_instance(
        meetup, exclude={members[0].id, members[1].id}, seats_taken={meetup.slots[0].id: 2}
    )
    assert instance["slots"][0]["seats"] == 18
    assert f"m{members[0].id}" not in {m["id"] for m in instance["members"]}


def test_a_move_after_publishing_emails_both_groups(setup):  # type: ignore[no-untyped-def]
    organizer, _, meetup = setup
    meetup.group_min, meetup.group_max = 2, 6
    db.session.commit()
    matching.run_matching_round(meetup.id)
    match_review.publish(meetup, organizer)
    grouping = _grouping(meetup)
    target, source = (
        sorted(grouping, key=lambda g: len(grouping[g]))[:1]
        + sorted(grouping, key=lambda g: -len(grouping[g]))[:1]
    )
    mover = grouping[source][0]
    email_ids = match_review.move_member(meetup, organizer, mover, target)
    expected = len(grouping[source]) - 1 + len(grouping[target]) + 1
    updates = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "match_update"))
    assert len(email_ids) == expected == len(updates.all())


def test_the_scheduler_publishes_only_when_the_organizer_opted_in(setup):  # type: ignore[no-untyped-def]
    _, _, meetup = setup
    meetup.optin_deadline = datetime(2020, 1, 1)
    db.session.commit()
    assert match_runs.due_batch(100) == [meetup.id]
    assert matching.run_matching_round(meetup.id) == []
    db.session.expire_all()
    assert meetup.status == MeetupStatus.PREVIEWED


def test_auto_publish_at_the_deadline_sends_the_emails(setup):  # type: ignore[no-untyped-def]
    _, _, meetup = setup
    meetup.optin_deadline = datetime(2020, 1, 1)
    meetup.auto_publish = True
    db.session.commit()
    assert len(matching.run_matching_round(meetup.id)) == 9
    db.session.expire_all()
    assert meetup.status == MeetupStatus.MATCHED


def test_blocked_pairs_never_share_a_group_even_by_hand(app):  # type: ignore[no-untyped-def]
    from webapp.models import Block

    people = make_members(8)
    community = create_community(people[0], "Club")
    meetup = make_meetup(community, group_min=3, group_max=4)
    opt_in_all(meetup, people[1:])  # seven: groups of 3 and 4
    a, b = people[1], people[2]
    db.session.add(Block(blocker_id=a.id, blocked_id=b.id))
    db.session.commit()
    instance = matching.build_instance(meetup)
    assert instance["blocks"] == [[f"m{a.id}", f"m{b.id}"]]
    matching.run_matching_round(meetup.id)
    grouping = _grouping(meetup)
    group_of = {m: g for g, ms in grouping.items() for m in ms}
    assert group_of[a.id] != group_of[b.id]
    target = group_of[b.id]
    if len(grouping[group_of[a.id]]) == 3:  # move b next to a instead, from the group of 4
        a, b, target = b, a, group_of[a.id]
    with pytest.raises(ServiceError, match="blocked"):
        match_review.move_member(meetup, people[0], a.id, target)
    assert _grouping(meetup) == grouping


def test_cancelling_a_published_meetup_tells_its_members(setup):  # type: ignore[no-untyped-def]
    from webapp.services.meetups import cancel_meetup

    organizer, _, meetup = setup
    matching.run_matching_round(meetup.id)
    match_review.publish(meetup, organizer)
    assert cancel_meetup(meetup, organizer) == 9
    db.session.expire_all()
    assert meetup.status == MeetupStatus.CANCELLED
    kinds = db.session.scalars(select(OutboxEmail.kind)).all()
    assert sorted(set(kinds)) == ["cancellation", "match"] and kinds.count("cancellation") == 9
    with pytest.raises(ServiceError):
        cancel_meetup(meetup, organizer)


def test_publish_tells_each_unplaced_member_why_in_the_same_commit(setup):  # type: ignore[no-untyped-def]
    organizer, members, meetup = setup
    members[0].availability = [Availability(weekday=0, part="morning")]  # not Tuesday evening
    db.session.commit()
    matching.run_matching_round(meetup.id)
    match_review.publish(meetup, organizer)
    db.session.expire_all()
    notices = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "not_placed")).all()
    assert [n.member_id for n in notices] == [members[0].id]
    assert _count(OutboxEmail) == 9  # eight group emails and the one notice
