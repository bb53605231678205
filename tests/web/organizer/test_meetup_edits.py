"""Editing a meetup's slots and venues (and a series from one occurrence on) over HTTP:
adding, changing and removing slots, refusals that leave nothing half-written, update
emails for published groups, and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests.helpers import submit
from tests.web.organizer.conftest import make_members, opt_in_all
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    Group,
    Meetup,
    MeetupSeries,
    MeetupSlot,
    MeetupStatus,
    OutboxEmail,
    Venue,
)
from webapp.services import match_review, matching
from webapp.services.meetup_edits import MeetupEdit, SlotEdit, apply_edit
from webapp.timeutil import to_local

FMT = "%Y-%m-%dT%H:%M"


def _local(meetup: Meetup, utc: datetime) -> datetime:
    return to_local(utc, meetup.community.timezone).replace(tzinfo=None)


def _rows(meetup: Meetup, **changes: dict) -> dict:
    """The edit form's slot rows as the page fills them in, with `changes` per row index
    ("0", "1", ...; "new0" for the first blank row)."""
    data: dict = {}
    for i, slot in enumerate(meetup.slots):
        data |= {
            f"slots-{i}-slot_id": str(slot.id),
            f"slots-{i}-starts_at": _local(meetup, slot.starts_at).strftime(FMT),
            f"slots-{i}-venue_name": slot.venue.name,
            f"slots-{i}-address": slot.venue.address,
            f"slots-{i}-capacity": str(slot.venue.capacity),
            f"slots-{i}-accessibility": slot.venue.accessibility_notes,
        }
        data |= {f"slots-{i}-{k}": v for k, v in changes.get(str(i), {}).items()}
    new = changes.get("new0")
    if new:
        n = len(meetup.slots)
        data |= {f"slots-{n}-slot_id": ""} | {f"slots-{n}-{k}": v for k, v in new.items()}
    return data


def _settings(meetup: Meetup) -> dict:
    return {
        "title": meetup.title,
        "optin_deadline": _local(meetup, meetup.optin_deadline).strftime(FMT),
        "group_min": str(meetup.group_min),
        "group_max": str(meetup.group_max),
        "policy": meetup.policy.value,
    }


def _edit(world, meetup: Meetup, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/meetups/{meetup.id}/edit"
    return submit(world.clients["organizer"], page, data, **kwargs)


def _snapshot(meetup: Meetup) -> list[tuple]:
    db.session.expire_all()
    return [
        (s.id, s.starts_at, s.venue.name, s.venue.address, s.venue.capacity)
        for s in db.session.get(Meetup, meetup.id).slots
    ]


def test_edit_page_lists_slots_with_their_venues(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    page = world.clients["organizer"].get(f"/organize/{world.slug}/meetups/{meetup.id}/edit")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="1 Main St"' in text and "New slot (optional)" in text
    assert f'name="slots-0-slot_id" type="hidden" value="{meetup.slots[0].id}"' in text


def test_add_a_slot_and_change_a_venue_of_an_open_meetup(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    first = meetup.slots[0]
    new_start = _local(meetup, first.starts_at) + timedelta(days=2)
    data = _settings(meetup) | _rows(
        meetup,
        **{
            "0": {"address": "2 Side St", "capacity": "12", "accessibility": "Lift at the back"},
            "new0": {
                "starts_at": new_start.strftime(FMT),
                "venue_name": "Library",
                "address": "3 Book Rd",
                "capacity": "8",
                "accessibility": "Step-free",
            },
        },
    )
    response = _edit(world, meetup, data, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "6 members who opted in were not emailed; use" in text, text
    db.session.expire_all()
    slots = db.session.get(Meetup, meetup.id).slots
    assert [(s.venue.name, s.venue.address, s.venue.capacity) for s in slots] == [
        ("Café", "2 Side St", 12),
        ("Library", "3 Book Rd", 8),
    ]
    assert slots[0].venue.accessibility_notes == "Lift at the back"
    assert slots[1].venue.accessibility_notes == "Step-free"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meetup.edited")).one()
    assert "added a slot" in entry.summary and "now meets at Café, 2 Side St" in entry.summary
    assert "settings" not in entry.summary, "an unchanged deadline is not reported"
    assert entry.actor.display_name == "Organizer"
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_venue_coordinates_are_edited_with_the_slot(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    response = _edit(world, meetup, _settings(meetup) | _rows(meetup, **{"0": {"lat": "-91"}}))
    assert response.status_code == 400 and "between -90 and 90" in response.get_data(as_text=True)
    assert db.session.get(Meetup, meetup.id).slots[0].venue.location is None
    located = _rows(meetup, **{"0": {"lat": "48.137", "lon": "11.575"}})
    assert _edit(world, meetup, _settings(meetup) | located).status_code == 302
    db.session.expire_all()
    assert db.session.get(Meetup, meetup.id).slots[0].venue.location == (48.137, 11.575)
    page = world.clients["organizer"].get(f"/organize/{world.slug}/meetups/{meetup.id}/edit")
    assert 'value="48.137"' in page.get_data(as_text=True), "shown again for the next edit"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meetup.edited")).one()
    assert "updated the venue details" in entry.summary


def test_removing_a_slot_after_opt_ins_needs_confirmation(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    later = meetup.slots[0].starts_at + timedelta(days=1)
    meetup.slots.append(
        MeetupSlot(starts_at=later, venue=Venue(community_id=meetup.community_id, name="Park"))
    )
    db.session.commit()
    before = _snapshot(meetup)
    data = _settings(meetup) | _rows(meetup, **{"1": {"remove": "y"}})
    refused = _edit(world, meetup, data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "6 members opted in while the" in text and "Yes, remove slots" in text
    assert _snapshot(meetup) == before
    confirmed = _edit(world, meetup, data | {"confirm_slot_removal": "y"})
    assert confirmed.status_code == 302
    assert [s[2] for s in _snapshot(meetup)] == ["Café"]
    summary = db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.action == "meetup.edited")
    ).one()
    assert "removed the" in summary and "6 members had opted in; confirmed" in summary


def test_removing_a_slot_forgets_it_in_the_members_picks(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    later = meetup.slots[0].starts_at + timedelta(days=1)
    meetup.slots.append(
        MeetupSlot(starts_at=later, venue=Venue(community_id=meetup.community_id, name="Park"))
    )
    db.session.commit()
    kept, removed = (s.id for s in meetup.slots)
    both, only_removed, only_kept, *_ = sorted(meetup.optins, key=lambda o: o.member_id)
    both.slot_ids, only_removed.slot_ids, only_kept.slot_ids = [kept, removed], [removed], [kept]
    db.session.commit()
    data = _settings(meetup) | _rows(meetup, **{"1": {"remove": "y"}})
    refused = _edit(world, meetup, data).get_data(as_text=True)
    assert "1 picked only this time: their weekly availability will decide instead" in refused
    assert _edit(world, meetup, data | {"confirm_slot_removal": "y"}).status_code == 302
    db.session.expire_all()
    picks = matching.picked_slots(
        meetup, [both.member_id, only_removed.member_id, only_kept.member_id]
    )
    assert picks == {both.member_id: {kept}, only_kept.member_id: {kept}}, (
        "the removed time is forgotten; a member who picked only it falls back to their grid"
    )


def test_the_last_slot_cannot_be_removed(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    before = _snapshot(meetup)
    data = _settings(meetup) | _rows(meetup, **{"0": {"remove": "y"}})
    refused = _edit(world, meetup, data | {"confirm_slot_removal": "y"})
    assert refused.status_code == 400
    assert "at least one time slot" in refused.get_data(as_text=True)
    assert _snapshot(meetup) == before


def test_a_slot_with_groups_is_kept_and_nothing_else_is_written(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    matching.run_matching_round(meetup.id)
    db.session.expire_all()
    meetup = db.session.get(Meetup, world.meetup_id)
    assert meetup.status == MeetupStatus.PREVIEWED
    later = meetup.slots[0].starts_at + timedelta(days=1)
    meetup.slots.append(
        MeetupSlot(starts_at=later, venue=Venue(community_id=meetup.community_id, name="Park"))
    )
    db.session.commit()
    before = _snapshot(meetup)
    # rename the empty second slot's venue and remove the first (which holds the groups)
    data = _rows(meetup, **{"0": {"remove": "y"}, "1": {"venue_name": "Riverside Park"}})
    refused = _edit(world, meetup, data | {"confirm_slot_removal": "y"})
    assert refused.status_code == 400
    assert "already has groups" in refused.get_data(as_text=True)
    assert _snapshot(meetup) == before, "the venue rename was not half-written"
    assert db.session.scalars(select(AuditEntry.action)).all().count("meetup.edited") == 0
    # the settings are fixed once previewed: they are not offered, times and venues are
    page = world.clients["organizer"].get(f"/organize/{world.slug}/meetups/{meetup.id}/edit")
    text = page.get_data(as_text=True)
    assert 'name="title"' not in text and 'name="slots-0-venue_name"' in text


def test_capacity_never_drops_below_the_members_placed(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    matching.run_matching_round(meetup.id)
    db.session.expire_all()
    meetup = db.session.get(Meetup, world.meetup_id)
    refused = _edit(world, meetup, _rows(meetup, **{"0": {"capacity": "4"}}))
    assert refused.status_code == 400
    assert "6 members are placed in the" in refused.get_data(as_text=True)
    assert _snapshot(meetup)[0][4] == 20


def test_moving_a_published_slot_emails_its_groups(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    matching.run_matching_round(meetup.id)
    db.session.expire_all()
    meetup = db.session.get(Meetup, world.meetup_id)
    match_review.publish(meetup, None)
    db.session.expire_all()
    meetup = db.session.get(Meetup, world.meetup_id)
    placed = sum(len(g.members) for g in meetup.groups)
    assert placed == 6
    new_start = _local(meetup, meetup.slots[0].starts_at) + timedelta(hours=1)
    # adding a slot after publishing is refused (it would stay empty)
    refused = _edit(
        world,
        meetup,
        _rows(
            meetup,
            new0={"starts_at": new_start.strftime(FMT), "venue_name": "X", "capacity": "5"},
        ),
    )
    assert refused.status_code == 400 and "published" in refused.get_data(as_text=True)
    data = _rows(
        meetup,
        **{"0": {"starts_at": new_start.strftime(FMT), "venue_name": "Tea Room", "address": ""}},
    )
    response = _edit(world, meetup, data, follow_redirects=True)
    assert "6 members were emailed the change" in response.get_data(as_text=True)
    updates = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "match_update")
    ).all()
    assert len(updates) == 6
    email = updates[0]
    assert f"{new_start:%H:%M}" in email.subject and "changed" in email.subject
    assert "Tea Room" in email.body_text and "moved it to" in email.body_text
    assert "SEQUENCE:1" in email.calendar_ics and "Tea Room" in email.calendar_ics
    first_invite = db.session.scalars(
        select(OutboxEmail).where(
            OutboxEmail.kind == "match", OutboxEmail.member_id == email.member_id
        )
    ).one()
    uid = next(line for line in email.calendar_ics.splitlines() if line.startswith("UID:"))
    assert uid in first_invite.calendar_ics, "the calendar replaces the event"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meetup.edited")).one()
    assert "moved the" in entry.summary and "6 members emailed" in entry.summary


def _series(world, occurrences: int = 4) -> list[Meetup]:  # type: ignore[no-untyped-def]
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=5)
    data = {
        "title": "Walks",
        "optin_deadline": (start - timedelta(days=2)).strftime(FMT),
        "group_min": "3",
        "group_max": "5",
        "policy": "balanced",
        "frequency": "weekly",
        "occurrences": str(occurrences),
        "slots-0-starts_at": start.strftime(FMT),
        "slots-0-venue_name": "Gate",
        "slots-0-address": "Park Rd",
        "slots-0-capacity": "20",
    }
    response = submit(world.clients["organizer"], f"/organize/{world.slug}/meetups/new", data)
    assert response.status_code == 302
    series = db.session.scalars(select(MeetupSeries)).one()
    return list(
        db.session.scalars(select(Meetup).where(Meetup.series_id == series.id).order_by(Meetup.id))
    )


def test_apply_to_every_later_occurrence_of_a_series(world):  # type: ignore[no-untyped-def]
    first, second, third, fourth = _series(world)
    url = f"/organize/{world.slug}/meetups/{fourth.id}"
    assert submit(world.clients["organizer"], url, {}, action=url + "/cancel").status_code == 302
    db.session.expire_all()
    extra = _local(second, second.slots[0].starts_at) + timedelta(days=1)
    data = (
        _settings(second)
        | {"title": "Evening walks", "group_max": "6"}
        | _rows(
            second,
            **{
                "0": {"venue_name": "North Gate", "address": "1 Hill St"},
                "new0": {"starts_at": extra.strftime(FMT), "venue_name": "Lake", "capacity": "9"},
            },
        )
        | {"apply_to_series": "y"}
    )
    response = _edit(world, second, data, follow_redirects=True)
    assert "The changes apply to 2 meetups of the series" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (first.title, first.slots[0].venue.name, len(first.slots)) == ("Walks", "Gate", 1)
    for meetup in (second, third):
        assert (meetup.title, meetup.group_max) == ("Evening walks", 6)
        assert [s.venue.name for s in meetup.slots] == ["North Gate", "Lake"]
        assert meetup.slots[0].venue.address == "1 Hill St"
    assert third.slots[1].starts_at - second.slots[1].starts_at == timedelta(weeks=1)
    assert third.optin_deadline - second.optin_deadline == timedelta(weeks=1)
    assert fourth.status == MeetupStatus.CANCELLED and fourth.title == "Walks"
    assert third.slots[0].venue_id != second.slots[0].venue_id, "each meetup keeps its own venue"
    edited = [
        e.detail["meetup_id"]
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meetup.edited"))
    ]
    assert sorted(edited) == sorted([second.id, third.id])


def test_a_series_edit_refused_by_one_occurrence_changes_none(world):  # type: ignore[no-untyped-def]
    first, second, third = _series(world, occurrences=3)
    for meetup in (second, third):
        meetup.slots.append(
            MeetupSlot(
                starts_at=meetup.slots[0].starts_at + timedelta(hours=2),
                venue=Venue(community_id=meetup.community_id, name="Cafe"),
            )
        )
    db.session.commit()
    # members already opted in to the third meetup: removing its slot needs confirmation
    opt_in_all(third, make_members(2, prefix="q"))
    before = (_snapshot(second), _snapshot(third))
    data = _rows(second, **{"1": {"remove": "y"}, "0": {"venue_name": "Corner Gate"}})
    refused = _edit(world, second, _settings(second) | data | {"apply_to_series": "y"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Walks on" in text and "2 members opted in while the" in text
    assert (_snapshot(second), _snapshot(third)) == before
    assert "meetup.edited" not in db.session.scalars(select(AuditEntry.action)).all()
    # a later meetup matched early keeps its own slots; confirming applies the rest
    db.session.add(Group(meetup_id=third.id, slot_id=third.slots[1].id))
    db.session.get(Meetup, third.id).status = MeetupStatus.PREVIEWED
    db.session.commit()
    data |= {"apply_to_series": "y", "confirm_slot_removal": "y"}
    done = _edit(world, second, _settings(second) | data, follow_redirects=True)
    assert "1 later meetups are matched already" in done.get_data(as_text=True)
    assert [s[2] for s in _snapshot(second)] == ["Corner Gate"]
    assert _snapshot(third) == before[1]


def test_bad_slot_input_is_explained(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    before = _snapshot(meetup)
    for change, words in (
        ({"venue_name": "  "}, "venue name"),
        ({"starts_at": "2001-01-01T10:00"}, "into the past"),
        ({"starts_at": "not a time"}, "Not a valid datetime"),
        ({"capacity": "0"}, "Number must be between 1 and 10000"),
    ):
        response = _edit(world, meetup, _settings(meetup) | _rows(meetup, **{"0": change}))
        assert response.status_code == 400, change
        assert words in response.get_data(as_text=True), change
    assert _snapshot(meetup) == before
    foreign = _settings(meetup) | {
        "slots-0-slot_id": "999999",
        "slots-0-starts_at": "2031-01-01T10:00",
        "slots-0-venue_name": "Elsewhere",
        "slots-0-capacity": "5",
    }
    refused = _edit(world, meetup, foreign)
    assert refused.status_code == 400
    assert "not part of this meetup" in refused.get_data(as_text=True)
    twice = _rows(meetup, **{"0": {"remove": "y"}})
    twice |= {k.replace("slots-0-", "slots-1-"): v for k, v in twice.items()}
    refused = _edit(world, meetup, _settings(meetup) | twice | {"confirm_slot_removal": "y"})
    assert refused.status_code == 400
    assert "Each slot can appear only once" in refused.get_data(as_text=True)
    assert _snapshot(meetup) == before


def test_a_shared_venue_is_copied_before_it_changes(world):  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    venue = meetup.slots[0].venue
    meetup.slots.append(
        MeetupSlot(starts_at=meetup.slots[0].starts_at + timedelta(days=1), venue=venue)
    )
    db.session.commit()
    slot = meetup.slots[1]
    apply_edit(
        meetup,
        None,
        MeetupEdit(
            slots=[
                SlotEdit(
                    slot.id,
                    _local(meetup, slot.starts_at),
                    "Annex",
                    venue.address,
                    venue.capacity,
                )
            ]
        ),
    )
    db.session.expire_all()
    meetup = db.session.get(Meetup, world.meetup_id)
    assert [s.venue.name for s in meetup.slots] == ["Café", "Annex"]
    assert meetup.slots[0].venue_id == venue.id != meetup.slots[1].venue_id


def test_opted_in_members_can_be_told_before_matching(world):  # type: ignore[no-untyped-def]
    """After moving an open meetup, the organizer can write to everyone who opted in."""
    url = f"/organize/{world.slug}/meetups/{world.meetup_id}"
    page = world.clients["organizer"].get(url).get_data(as_text=True)
    assert f'href="{url}/message"' in page, "the link is there before matching too"
    response = submit(
        world.clients["organizer"],
        url + "/message",
        {"audience": "all", "subject": "New place", "body": "We meet at the library now."},
    )
    assert response.status_code == 302
    rows = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "organizer_message")
    ).all()
    assert len(rows) == 6 and all("library" in r.body_text for r in rows)
