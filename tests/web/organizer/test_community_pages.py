"""Community settings, tags, invite link, co-organizers, audit log and messages over HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import submit
from webapp.extensions import db
from webapp.models import AuditEntry, Community, Membership, OutboxEmail, Role
from webapp.services import matching
from webapp.services.communities import clean_tags


def _community(world) -> Community:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalars(select(Community).where(Community.slug == world.slug)).one()


def test_settings_save_details_and_merge_duplicate_tags(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/settings"
    response = submit(
        world.clients["organizer"],
        page,
        {
            "name": "First Circle Berlin",
            "description": "Hello",
            "city": "Berlin",
            "timezone": "Europe/Berlin",
            "interest_tags": "Board Games, board-games,  hiking ,Hiking, , jazz",
        },
    )
    assert response.status_code == 302
    community = _community(world)
    assert (community.name, community.city, community.timezone) == (
        "First Circle Berlin",
        "Berlin",
        "Europe/Berlin",
    )
    assert community.interest_tags == ["board games", "hiking", "jazz"]
    response = submit(
        world.clients["organizer"],
        page,
        {"source": "jazz", "target": "Hiking"},
        action=page + "/merge-tags",
    )
    assert response.status_code == 302
    assert _community(world).interest_tags == ["board games", "hiking"]
    entries = db.session.scalars(select(AuditEntry.summary)).all()
    assert any("2 duplicates merged" in e for e in entries)
    assert any("Merged tag 'jazz' into 'hiking'" in e for e in entries)


def test_bad_settings_are_explained_next_to_the_field(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/settings"
    response = submit(
        world.clients["organizer"],
        page,
        {"name": "Valid name", "timezone": "Mars/Olympus", "interest_tags": ""},
    )
    assert response.status_code == 400
    assert 'id="timezone-error"' in response.get_data(as_text=True)
    assert _community(world).timezone == "UTC"
    response = submit(
        world.clients["organizer"],
        page,
        {"source": "nope", "target": "x"},
        action=page + "/merge-tags",
    )
    assert response.status_code == 400 and "not in the list" in response.get_data(as_text=True)


def test_clean_tags_merges_case_spacing_and_hyphens() -> None:
    assert clean_tags(["Sci-Fi", "sci fi", " SCI  FI ", "", "Go!"]) == ["sci fi", "go"]


def test_rotating_the_invite_link_replaces_the_code(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/settings"
    submit(world.clients["organizer"], page, {}, action=page + "/invite")
    first = _community(world).invite_code
    submit(world.clients["organizer"], page, {}, action=page + "/invite")
    second = _community(world).invite_code
    assert first and second and first != second
    assert second in world.clients["organizer"].get(page).get_data(as_text=True)


def test_co_organizers_must_be_members_first(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/settings"
    action = page + "/organizers"
    refused = submit(
        world.clients["organizer"], page, {"email": "other_organizer@example.org"}, action=action
    )
    assert refused.status_code == 400 and "Only a member" in refused.get_data(as_text=True)
    made = submit(world.clients["organizer"], page, {"email": "Member@Example.org"}, action=action)
    assert made.status_code == 302
    role = db.session.scalar(
        select(Membership.role)
        .join(Community, Community.id == Membership.community_id)
        .where(Community.slug == world.slug, Membership.member.has(email="member@example.org"))
    )
    assert role == Role.ORGANIZER
    assert world.clients["member"].get(f"/organize/{world.slug}").status_code == 200


def test_messages_go_to_everyone_or_one_group_through_the_outbox(world):  # type: ignore[no-untyped-def]
    matching.run_matching_round(world.meetup_id)
    page = f"/organize/{world.slug}/meetups/{world.meetup_id}/message"
    organizer = world.clients["organizer"]
    response = submit(
        organizer, page, {"audience": "all", "subject": "Rain", "body": "Bring an umbrella"}
    )
    assert response.status_code == 302
    rows = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "organizer_message")
    ).all()
    assert len(rows) == 6 and all("Bring an umbrella" in r.body_text for r in rows)
    from webapp.models import Group

    group = db.session.scalars(select(Group).where(Group.meetup_id == world.meetup_id)).first()
    submit(organizer, page, {"audience": f"group-{group.id}", "subject": "Hi", "body": "Table 4"})
    count = db.session.scalar(
        select(func.count()).select_from(OutboxEmail).where(OutboxEmail.subject.contains("Hi"))
    )
    assert count == len(group.members)
    bad = submit(organizer, page, {"audience": "group-999999", "subject": "Hi", "body": "x y"})
    assert bad.status_code == 400
    empty = submit(organizer, page, {"audience": "all", "subject": "", "body": ""})
    assert empty.status_code == 400
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "message.sent")
        )
        == 2
    )


def test_organizers_name_areas_with_coordinates_and_remove_them(world):  # type: ignore[no-untyped-def]
    page = f"/organize/{world.slug}/settings"
    action = f"/organize/{world.slug}/settings/areas"
    organizer = world.clients["organizer"]
    for data, message in (
        ({"area_name": "Old Town", "area_lat": "", "area_lon": ""}, "latitude and longitude"),
        ({"area_name": "Old Town", "area_lat": "51.7", "area_lon": "200"}, "-180 and 180"),
        ({"area_name": "", "area_lat": "51.7", "area_lon": "-1.2"}, "This field is required"),
    ):
        response = submit(organizer, page, data, action=action)
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
    assert _community(world).areas == []
    good = {"area_name": " Old  Town ", "area_lat": "51.752", "area_lon": "-1.2577"}
    assert submit(organizer, page, good, action=action).status_code == 302
    again = submit(organizer, page, {**good, "area_name": "old town"}, action=action)
    assert again.status_code == 400 and "already an area called" in again.get_data(as_text=True)
    [area] = _community(world).areas
    assert (area.name, area.lat, area.lon) == ("Old Town", 51.752, -1.2577)
    assert "<td>Old Town</td>" in organizer.get(page).get_data(as_text=True)
    remove = f"/organize/{world.slug}/settings/areas/{area.id}/remove"
    assert submit(world.clients["member"], "/me", {}, action=remove).status_code == 403
    assert submit(organizer, page, {}, action=remove).status_code == 302
    assert _community(world).areas == []
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "area.added" in actions and "area.removed" in actions
