"""Profile editing: interests normalised, availability parsed, bad input refused whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import fill_profile, sign_up, submit
from webapp.extensions import db
from webapp.models import Member
from webapp.services.errors import ServiceError
from webapp.services.profiles import normalise_interests, parse_availability


def test_profile_is_saved_and_normalised(client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    response = fill_profile(
        client,
        "  Sam   Doe ",
        "Bouldering,  sci-FI , bouldering,,\nJazz",
        ["0-evening", "5-morning"],
    )
    assert response.status_code == 302
    member = db.session.query(Member).one()
    assert member.display_name == "Sam Doe"
    assert [i.name for i in member.interests] == ["bouldering", "jazz", "sci-fi"]
    assert {(a.weekday, a.part) for a in member.availability} == {(0, "evening"), (5, "morning")}
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'value="0-evening" id="av-0-evening"\n                 checked' in page


def test_profile_can_be_saved_twice_with_the_same_windows(client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    fill_profile(client, "Sam", "chess", ["2-afternoon"])
    assert fill_profile(client, "Sam", "chess, go", ["2-afternoon", "3-evening"]).status_code == 302
    member = db.session.query(Member).one()
    assert len(member.availability) == 2


def test_unknown_availability_value_changes_nothing(client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org", "Sam")
    fill_profile(client, "Sam", "chess", ["2-afternoon"])
    response = fill_profile(client, "Renamed", "go", ["9-midnight"])
    assert response.status_code == 400
    assert "availability choice" in response.get_data(as_text=True)
    db.session.expire_all()
    member = db.session.query(Member).one()
    assert member.display_name == "Sam" and [i.name for i in member.interests] == ["chess"]


def test_overlong_interest_is_explained(client):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    response = submit(client, "/me/profile", {"display_name": "Sam", "interests": "x" * 60})
    assert response.status_code == 400
    assert "at most 40 characters" in response.get_data(as_text=True)


@given(st.lists(st.text(max_size=30), max_size=25))
def test_normalised_interests_are_lowercase_trimmed_and_unique(raw):  # type: ignore[no-untyped-def]
    names = normalise_interests(raw)
    assert len(names) == len(set(names))
    for name in names:
        assert name == " ".join(name.lower().split()) and name
    printable = ("".join(c for c in r if c.isprintable()) for r in raw)
    expected = {" ".join(r.lower().split()) for r in printable} - {""}
    assert set(names) == expected


@given(st.lists(st.text(max_size=12), max_size=10))
def test_availability_parser_accepts_only_known_windows(values):  # type: ignore[no-untyped-def]
    try:
        windows = parse_availability(values)
    except ServiceError as error:
        assert error.field == "availability"
    else:
        assert all(0 <= d <= 6 and p in {"morning", "afternoon", "evening"} for d, p in windows)
