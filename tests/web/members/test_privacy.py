"""Privacy: download all my data (only mine) and delete my account (data gone, sessions dead)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.helpers import log_in, submit
from tests.web.members.world import (
    PASSWORD,
    community_with,
    matched_group,
    move_to_past,
    open_meetup,
    person,
)
from webapp.extensions import db
from webapp.models import GroupMember, LonelinessCheckin, MeetupFeedback, Member, OutboxEmail, Rsvp
from webapp.services import checkins, feedback, metrics


def _world():  # type: ignore[no-untyped-def]
    people = {n: person(n) for n in ("Sam", "Ana", "Ben")}
    community = community_with(list(people.values()))
    past = open_meetup(community)
    group = matched_group(past, list(people.values()))
    move_to_past(past)
    sam = people["Sam"]
    sam.diet, sam.area = "vegan", "Kreuzberg"
    db.session.commit()
    feedback.submit(sam, group, feedback.Answer(True, 4, {people["Ana"].id: "again"}, note="Nice"))
    checkins.record(sam, 2, 2, 1)
    upcoming = matched_group(open_meetup(community, days=6), list(people.values()))
    return people, community, upcoming


def test_download_holds_everything_about_me_and_nobody_else(app, client):  # type: ignore[no-untyped-def]
    _world()
    log_in(client, "sam@example.org", PASSWORD)
    response = client.get("/account/my-data.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "sam@example.org"
    assert data["profile"]["diet"] == "vegan" and data["profile"]["area"] == "Kreuzberg"
    assert data["profile"]["interests"] == ["bouldering", "sci-fi"]
    assert (
        data["feedback"][0]["note"] == "Nice" and data["said_about_others"][0]["choice"] == "again"
    )
    assert len(data["check_ins"]) == 1 and len(data["groups"]) == 2
    text = json.dumps(data)
    assert "ana@" not in text and "Ana" not in text and "Ben" not in text and "Olivia" not in text


def test_delete_removes_personal_data_keeps_aggregates_and_ends_sessions(app, client):  # type: ignore[no-untyped-def]
    people, community, upcoming = _world()
    log_in(client, "sam@example.org", PASSWORD)
    other_device = app.test_client()
    log_in(other_device, "sam@example.org", PASSWORD)
    wrong = submit(
        client, "/account", {"delete-password": "not it at all"}, action="/account/delete"
    )
    assert wrong.status_code == 400 and "That is not your password." in wrong.get_data(as_text=True)
    response = submit(client, "/account", {"delete-password": PASSWORD}, action="/account/delete")
    assert response.status_code == 302
    db.session.expire_all()
    shell = db.session.get(Member, people["Sam"].id)
    assert shell.deleted_at is not None and "sam" not in shell.email
    assert (shell.display_name, shell.diet, shell.area, shell.interests) == (
        "Former member",
        "",
        "",
        [],
    )
    assert client.get("/me").status_code == 302 and other_device.get("/me").status_code == 302
    assert log_in(app.test_client(), "sam@example.org", PASSWORD).status_code == 400
    assert (
        db.session.scalar(select(func.count()).where(OutboxEmail.to_address == "sam@example.org"))
        == 0
    )
    # Anonymous aggregates stay: the rating, the check-in (owner-less), the past group seat.
    assert db.session.scalar(select(MeetupFeedback.rating)) == 4
    assert db.session.scalar(select(MeetupFeedback.note)) == ""
    assert db.session.scalar(select(LonelinessCheckin.member_id)) is None
    assert metrics.member_count(community) == 3  # Olivia, Ana, Ben
    # The upcoming group was told, and the seat counts as cancelled.
    seat = db.session.scalar(
        select(GroupMember).where(
            GroupMember.member_id == shell.id, GroupMember.group_id == upcoming.id
        )
    )
    assert seat.rsvp == Rsvp.CANT
    told = db.session.scalars(
        select(OutboxEmail.to_address).where(OutboxEmail.kind == "group_cancellation")
    )
    assert sorted(told) == ["ana@example.org", "ben@example.org"]
    # The others see "A former member", never the old name.
    ana = app.test_client()
    log_in(ana, "ana@example.org", PASSWORD)
    page = ana.get(f"/me/groups/{upcoming.id}").get_data(as_text=True)
    assert "Sam" not in page


def test_a_new_account_can_reuse_a_deleted_address(app, client):  # type: ignore[no-untyped-def]
    from tests.helpers import sign_up

    person("Sam")
    log_in(client, "sam@example.org", PASSWORD)
    submit(client, "/account", {"delete-password": PASSWORD}, action="/account/delete")
    assert sign_up(app.test_client(), "sam@example.org", "Sam Again").status_code == 302
