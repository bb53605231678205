"""The adapter between the database and the engine: instance building and storing groups."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.web.organizer.conftest import logged_in_client
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
from webapp.services import match_review, match_runs, matching
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


def test_instance_v2_carries_languages_about_places_sizes_and_picked_times(meetup):  # type: ignore[no-untyped-def]
    p = _people()
    tuesday, saturday = meetup.slots
    tuesday.venue.lat, tuesday.venue.lon = 51.75, -1.26
    meetup.group_max = 5
    p[1].languages, p[1].about = ["en", "left as typed"], "  Sourdough and city history "
    p[1].home_lat, p[1].home_lon, p[1].travel_km, p[1].preferred_group_size = 51.7, -1.2, 5, 4
    p[2].home_lat, p[2].home_lon, p[2].preferred_group_size = 51.7, -1.2, 6  # no distance
    p[3].travel_km = 10  # a distance without a home limits nothing
    optin = db.session.scalar(select(OptIn).where(OptIn.member_id == p[4].id))
    optin.slot_ids = [saturday.id]  # picked when opting in: wins over the (empty) grid
    p[4].availability = [Availability(weekday=1, part="evening")]
    db.session.commit()
    instance = matching.build_instance(meetup)
    assert instance["version"] == 2
    assert instance["slots"][0] == {
        "id": f"slot-{tuesday.id}",
        "seats": 20,
        "location": [51.75, -1.26],
    }
    assert "location" not in instance["slots"][1]
    entries = {e["id"]: e for e in instance["members"]}
    one, two, three = (entries[f"m{p[n].id}"] for n in (1, 2, 3))
    assert one["languages"] == ["en"], "only codes we know reach the engine"
    assert one["about"] == "Sourdough and city history"
    # nobody has given or received a "meet again" yet: everyone prefers the minimum
    assert (one["location"], one["max_km"], one["preferred_size"]) == ([51.7, -1.2], 5, 3)
    assert not {"location", "max_km", "languages", "about"} & set(two)
    assert {e.get("preferred_size") for e in entries.values()} == {3}
    assert "location" not in three and "max_km" not in three
    assert entries[f"m{p[4].id}"]["available"] == [f"slot-{saturday.id}"]


def test_a_v2_meetup_matches_and_the_why_line_reaches_email_and_preview(app, meetup):  # type: ignore[no-untyped-def]
    for person in _people()[1:]:
        person.languages, person.about = ["en"], "Sourdough baking and city history walks"
        person.home_lat, person.home_lon, person.travel_km = 51.7, -1.2, 25
    meetup.slots[0].venue.lat, meetup.slots[0].venue.lon = 51.71, -1.21
    db.session.commit()
    matching.run_matching_round(meetup.id)
    db.session.expire_all()
    found = db.session.get(Meetup, meetup.id)
    assert found.status == MeetupStatus.PREVIEWED and found.groups
    assert sum(len(g.members) for g in found.groups) == 8 and not found.unmatched
    group = found.groups[0]
    group.why = ["chess", "go", "sourdough baking"]  # tags, then an about-text topic
    db.session.commit()
    organizer = logged_in_client(app, _people()[0])
    page = organizer.get(f"/organize/{found.community.slug}/meetups/{found.id}")
    assert "they share chess, go and sourdough baking" in page.get_data(as_text=True)
    match_review.publish(found, None)
    body = db.session.scalar(
        select(OutboxEmail.body_text).where(
            OutboxEmail.kind == "match", OutboxEmail.member_id == group.members[0].member_id
        )
    )
    assert "You all like chess, go and sourdough baking." in body


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
    assert match_runs.due_batch(100) == []
    meetup.optin_deadline = datetime(2020, 1, 1)
    db.session.commit()
    assert match_runs.due_batch(100) == [meetup.id]
    matching.run_matching_round(meetup.id, notify=False)
    assert match_runs.due_batch(100) == []
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
