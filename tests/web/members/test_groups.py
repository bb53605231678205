"""My groups: what members see, the calendar file, "I'm in" / "Can't make it" and standby."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import log_in, submit
from tests.web.members.world import (
    PASSWORD,
    community_with,
    free_on,
    matched_group,
    open_meetup,
    person,
)
from webapp.extensions import db
from webapp.models import GroupMember, OptIn, OutboxEmail, Rsvp
from webapp.services import blocks, pauses, rsvp
from webapp.services.errors import ServiceError


@pytest.fixture()
def world(app):  # type: ignore[no-untyped-def]
    """Sam, Ana, Ben and Cleo in one group; Dev and Eve opted in but unplaced."""
    people = {name: person(name) for name in ("Sam", "Ana", "Ben", "Cleo", "Dev", "Eve")}
    community = community_with(list(people.values()))
    meetup = open_meetup(community, standby=True)
    meetup.slots[0].venue.accessibility_notes = "Step-free entrance on the side"
    for name in ("Dev", "Eve"):
        db.session.add(OptIn(meetup_id=meetup.id, member_id=people[name].id))
    db.session.commit()
    group = matched_group(meetup, [people[n] for n in ("Sam", "Ana", "Ben", "Cleo")])
    return {"people": people, "meetup": meetup, "group": group}


def test_the_group_page_shows_first_names_shared_interests_and_venue(world, client):  # type: ignore[no-untyped-def]
    log_in(client, "sam@example.org", PASSWORD)
    page = client.get(f"/me/groups/{world['group'].id}").get_data(as_text=True)
    assert "Ana" in page and "Ben" in page and "Cleo" in page
    assert "Lastname" not in page, "first names only"
    assert "@example.org" not in page.replace("sam@example.org", ""), "never others' emails"
    assert "You all like bouldering and sci-fi." in page
    assert "Café Anker, Hafenstr. 1" in page and "Step-free entrance" in page
    home = client.get("/me").get_data(as_text=True)
    assert "ana@example.org" not in home and "You all like bouldering and sci-fi." in home


def test_nobody_sees_a_group_they_are_not_in(world, client):  # type: ignore[no-untyped-def]
    log_in(client, "dev@example.org", PASSWORD)
    assert client.get(f"/me/groups/{world['group'].id}").status_code == 404
    assert client.get(f"/me/groups/{world['group'].id}/calendar.ics").status_code == 404


def test_the_calendar_file_is_rfc5545(world, client):  # type: ignore[no-untyped-def]
    log_in(client, "sam@example.org", PASSWORD)
    response = client.get(f"/me/groups/{world['group'].id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert (
        "BEGIN:VEVENT" in text
        and "DTSTART:" in text
        and "LOCATION:Café Anker\\, Hafenstr. 1" in text
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "ana@example.org" not in text


def test_im_in_then_cant_make_it_tells_the_group_and_pulls_standby(world, client):  # type: ignore[no-untyped-def]
    log_in(client, "sam@example.org", PASSWORD)
    gid = world["group"].id
    submit(client, f"/me/groups/{gid}", {}, action=f"/me/groups/{gid}/going")
    seat = db.session.scalar(
        select(GroupMember).where(GroupMember.member_id == world["people"]["Sam"].id)
    )
    assert seat.rsvp == Rsvp.GOING
    submit(client, f"/me/groups/{gid}", {}, action=f"/me/groups/{gid}/cant")
    db.session.expire_all()
    assert seat.rsvp == Rsvp.CANT
    told = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "group_cancellation"))
    told = {e.to_address: e for e in told}
    assert set(told) == {"ana@example.org", "ben@example.org", "cleo@example.org"}
    assert "Sam can't make it" in told["ana@example.org"].body_text
    assert "Dev joins your group" in told["ana@example.org"].body_text, "longest waiting first"
    standby = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "standby_seat"))
    assert standby.to_address == "dev@example.org" and "Ana" in standby.body_text
    dev_seat = db.session.scalar(
        select(GroupMember).where(GroupMember.member_id == world["people"]["Dev"].id)
    )
    assert dev_seat.group_id == gid and dev_seat.from_standby
    assert (
        submit(client, f"/me/groups/{gid}", {}, action=f"/me/groups/{gid}/cant").status_code == 302
    )
    assert db.session.query(OutboxEmail).filter_by(kind="standby_seat").count() == 1, "once only"


def test_standby_skips_the_paused_the_blocked_and_the_busy(world):  # type: ignore[no-untyped-def]
    people, group = world["people"], world["group"]
    pauses.pause(people["Dev"], 2)  # after matching: the opt-in stays, the pause counts
    blocks.block(people["Ana"], people["Eve"].id)
    assert rsvp.standby_candidates(group) == []
    rsvp.cancel(people["Sam"], group)
    assert db.session.query(GroupMember).filter_by(group_id=group.id).count() == 4


def test_standby_respects_availability_and_the_organizers_choice(world):  # type: ignore[no-untyped-def]
    people, group, meetup = world["people"], world["group"], world["meetup"]
    slot_day = meetup.slots[0].starts_at.weekday()
    free_on(people["Dev"], (slot_day + 3) % 7, "morning")  # Dev is never free then
    assert [m.first_name for m in rsvp.standby_candidates(group)] == ["Eve"]
    meetup.standby_enabled = False
    db.session.commit()
    rsvp.cancel(people["Sam"], group)
    assert db.session.query(OutboxEmail).filter_by(kind="standby_seat").count() == 0
    assert db.session.query(OutboxEmail).filter_by(kind="group_cancellation").count() == 3


def test_a_cancelled_seat_can_be_taken_back_only_while_there_is_room(world):  # type: ignore[no-untyped-def]
    people, group, meetup = world["people"], world["group"], world["meetup"]
    meetup.group_max = 4
    db.session.commit()
    rsvp.cancel(people["Sam"], group)  # Dev takes the seat: 4 active again
    with pytest.raises(ServiceError, match="gone to someone else"):
        rsvp.confirm(people["Sam"], group)
    rsvp.cancel(people["Ana"], group)  # Eve takes it
    rsvp.cancel(people["Eve"], group)  # nobody left on standby: 3 active
    assert rsvp.confirm(people["Sam"], group) is True


def test_rsvp_is_refused_after_the_start_and_for_strangers(world):  # type: ignore[no-untyped-def]
    from tests.web.members.world import move_to_past

    with pytest.raises(ServiceError, match="not one of your groups"):
        rsvp.confirm(world["people"]["Dev"], world["group"])
    move_to_past(world["meetup"])
    with pytest.raises(ServiceError, match="already started"):
        rsvp.cancel(world["people"]["Sam"], world["group"])
