"""Onboarding: community tags with free additions, details, private needs, check-in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers import sign_up, submit
from webapp.extensions import db
from webapp.models import LonelinessCheckin, Member, OptIn
from webapp.services import checkins, places, profiles, venue_needs
from webapp.services.communities import create_community, join
from webapp.services.errors import ServiceError
from webapp.services.meetups import SlotSpec, schedule_meetup

FULL = {
    "display_name": "Sam Doe",
    "tags": ["bouldering"],
    "interests": "Sci-Fi,  board   games",
    "about": "Books and mountains",
    "availability": ["1-evening"],
    "area": " Kreuzberg ",
    "travel_km": "5",
    "preferred_group_size": "4",
    "no_groups_of_two": "y",
    "languages": "English, DE, en, Español",
    "diet": "vegetarian",
    "accessibility_needs": "step-free access",
}


def _me() -> Member:
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == "sam@example.org"))


def test_the_whole_profile_is_saved_in_one_go(client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    assert submit(client, "/me/profile", FULL).status_code == 302
    me = _me()
    assert [i.name for i in me.interests] == ["board games", "bouldering", "sci-fi"]
    assert (me.area, me.travel_km, me.preferred_group_size) == ("Kreuzberg", 5, 4)
    assert me.no_groups_of_two is True
    assert me.languages == ["en", "de", "es"], "names or codes in any case, stored as codes"
    assert (me.diet, me.accessibility_needs) == ("vegetarian", "step-free access")
    assert profiles.profile_complete(me)


def test_community_tags_are_offered_as_choices_and_search(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    organizer = Member(email="o@example.org", password_hash="x", display_name="Olivia")
    db.session.add(organizer)
    db.session.commit()
    community = create_community(organizer, "Harbour")
    community.interest_tags = ["wild swimming", "chess"]
    db.session.commit()
    join(_me(), community)
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'name="tags" value="wild swimming"' in page
    assert '<datalist id="interest-options">' in page and '<option value="chess">' in page
    submit(client, "/me/profile", {**FULL, "tags": ["chess", "wild swimming"], "interests": ""})
    assert [i.name for i in _me().interests] == ["chess", "wild swimming"]


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"travel_km": "7"}, "travel_km", "choose one of the distances"),
        ({"preferred_group_size": "2"}, "preferred_group_size", "3 to 6 people"),
        ({"languages": "en, de, fr, es, it, pt, nl, pl, sv, da, fi"}, "languages", "at most 10"),
        ({"languages": "English, Elvish, xx"}, "languages", "“Elvish”, “xx”"),
        ({"home_lat": "91", "home_lon": "0"}, "home_lat", "between -90 and 90"),
        ({"home_lat": "51.5", "home_lon": "-181"}, "home_lon", "between -180 and 180"),
        ({"home_lat": "51.5"}, "home_lon", "both the latitude and the longitude"),
        ({"home_lat": "nan", "home_lon": "1"}, "home_lat", "must be a number"),
        ({"home_area": "Atlantis"}, "home_area", "not an area of your communities"),
        ({"travel_km": "1000"}, "travel_km", "choose one of the distances"),
        ({"diet": "x" * 301}, "diet", "300"),
        ({"area": "y" * 81}, "area", "80"),
    ],
)
def test_bad_details_are_explained_next_to_the_field(client, change, field, message):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org", "Sam")
    response = submit(client, "/me/profile", {**FULL, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert _me().area == "", "nothing was saved"


def test_home_is_a_community_area_or_typed_coordinates(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    organizer = Member(email="o@example.org", password_hash="x", display_name="Olivia")
    db.session.add(organizer)
    db.session.commit()
    community = create_community(organizer, "Harbour")
    places.add_area(community, organizer, "Old Town", (51.75, -1.26))
    join(_me(), community)
    assert '<option value="Old Town">Old Town</option>' in client.get("/me/profile").get_data(
        as_text=True
    )
    assert submit(client, "/me/profile", {**FULL, "home_area": "Old Town"}).status_code == 302
    assert (_me().area, _me().home) == ("Old Town", (51.75, -1.26))
    assert '<option selected value="Old Town">' in client.get("/me/profile").get_data(as_text=True)
    both = {**FULL, "home_area": "Old Town", "home_lat": "1", "home_lon": "2"}
    assert submit(client, "/me/profile", both).status_code == 400
    typed = {**FULL, "home_area": "", "home_lat": "51,5", "home_lon": " -0.12 "}
    assert submit(client, "/me/profile", typed).status_code == 302
    assert (_me().area, _me().home) == ("Kreuzberg", (51.5, -0.12))
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'value="51.5"' in page and 'value="-0.12"' in page
    assert 'value="English, German, Spanish"' in page, "codes are shown by name"


def test_needs_are_visible_to_organizers_only(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    submit(client, "/me/profile", FULL)
    organizer = Member(email="o@example.org", password_hash="x", display_name="Olivia")
    db.session.add(organizer)
    db.session.commit()
    community = create_community(organizer, "Harbour")
    join(_me(), community)
    start = datetime.now() + timedelta(days=3)
    meetup = schedule_meetup(
        community,
        title="Round",
        optin_deadline_local=start - timedelta(days=1),
        slots=[SlotSpec(start, "Café")],
    )
    db.session.add(OptIn(meetup_id=meetup.id, member_id=_me().id))
    db.session.commit()
    [needs] = venue_needs.needs_for_meetup(organizer, meetup)
    assert (needs.diet, needs.accessibility_needs) == ("vegetarian", "step-free access")
    with pytest.raises(PermissionError):
        venue_needs.needs_for_meetup(_me(), meetup)
    assert "vegetarian" not in client.get("/me").get_data(as_text=True)


def test_check_in_is_a_private_dated_trend(app, client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    answers = {"lack_companionship": "3", "left_out": "2", "isolated": "3"}
    assert submit(client, "/me/check-in", answers).status_code == 302
    submit(client, "/me/check-in", {**answers, "left_out": "1"})
    assert [c.score for c in checkins.history(_me())] == [8, 7]
    page = client.get("/me/check-in").get_data(as_text=True)
    assert "<td>8</td>" in page and "<td>7</td>" in page
    bad = submit(client, "/me/check-in", {**answers, "isolated": "4"})
    assert bad.status_code == 400
    assert db.session.query(LonelinessCheckin).count() == 2


def test_aggregates_are_withheld_below_ten_answers(app):  # type: ignore[no-untyped-def]
    people = [
        Member(email=f"p{n}@x.org", password_hash="x", display_name=f"P{n}") for n in range(11)
    ]
    db.session.add_all(people)
    db.session.commit()
    community = create_community(people[0], "Club")
    for person in people[1:]:
        join(person, community)
    for n, person in enumerate(people[:9]):
        checkins.record(person, 1, 1, 1 + n % 3)
    assert checkins.community_aggregate(community) is None
    checkins.record(people[9], 3, 3, 3)
    checkins.record(people[0], 3, 3, 3)  # a newer answer replaces the older one
    aggregate = checkins.community_aggregate(community)
    assert aggregate is not None and aggregate.answers == 10
    assert aggregate.share_often_lonely == 0.2
    with pytest.raises(ServiceError):
        checkins.record(people[10], 0, 1, 1)


@given(st.lists(st.text(max_size=45), max_size=14))
def test_normalised_languages_are_lowercase_trimmed_unique_and_few(raw):  # type: ignore[no-untyped-def]
    try:
        names = profiles.normalise_languages(raw)
    except ServiceError as error:
        assert error.field == "languages"
    else:
        assert len(names) == len(set(names)) <= profiles.MAX_LANGUAGES
        assert all(n == " ".join(n.lower().split()) and n for n in names)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {
            k: st.text(max_size=50)
            for k in (
                "display_name",
                "interests",
                "area",
                "travel_km",
                "preferred_group_size",
                "languages",
                "diet",
            )
        }
    ),
    windows=st.lists(st.text(max_size=10), max_size=3),
)
def test_the_profile_form_never_fails_with_a_server_error(client, data, windows):  # type: ignore[no-untyped-def]
    if not _me():
        sign_up(client, "sam@example.org")
    response = submit(client, "/me/profile", {**data, "availability": windows})
    assert response.status_code in (302, 400)


@pytest.mark.parametrize("value", ["²", "٣", "1e3", " 5 ", "-4", "99999999999"])
def test_odd_numbers_in_the_profile_are_refused_not_crashed(client, value):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    response = submit(client, "/me/profile", {**FULL, "travel_km": value})
    assert response.status_code == (302 if value.strip() == "5" else 400)
