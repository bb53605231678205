"""After the meetup: private feedback, mutual "meet again", blocks, safety reports, connections."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

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
from webapp.models import Block, MeetupFeedback, PairFeedback, SafetyReport
from webapp.services import blocks, connections, feedback
from webapp.services.errors import ServiceError


@pytest.fixture()
def met(app):  # type: ignore[no-untyped-def]
    """Sam, Ana, Ben and Cleo met yesterday."""
    people = {name: person(name) for name in ("Sam", "Ana", "Ben", "Cleo")}
    meetup = open_meetup(community_with(list(people.values())))
    group = matched_group(meetup, list(people.values()))
    move_to_past(meetup)
    return {"people": people, "group": group, "meetup": meetup}


def _form(people, sam_says):  # type: ignore[no-untyped-def]
    data = {"attended": "yes", "rating": "5", "note": "Lovely evening"}
    for name, choice in sam_says.items():
        data[f"about-{people[name].id}"] = choice
    return data


def test_feedback_is_private_and_only_mutual_again_shows(met, app):  # type: ignore[no-untyped-def]
    people, gid = met["people"], met["group"].id
    sam, ana = app.test_client(), app.test_client()
    log_in(sam, "sam@example.org", PASSWORD)
    log_in(ana, "ana@example.org", PASSWORD)
    url = f"/me/groups/{gid}/feedback"
    response = submit(
        sam, url, _form(people, {"Ana": "again", "Ben": "again", "Cleo": "not_for_me"})
    )
    assert response.status_code == 302
    row = db.session.scalar(select(MeetupFeedback))
    assert (row.attended, row.rating, row.note) == (True, 5, "Lovely evening")
    # Before Ana answers, nothing shows on either side.
    assert "both want to meet again" not in ana.get("/me/connections").get_data(as_text=True)
    submit(ana, url, {"attended": "yes", "rating": "4", f"about-{people['Sam'].id}": "again"})
    for client, other in ((sam, "Ana"), (ana, "Sam")):
        page = client.get("/me/connections").get_data(as_text=True)
        assert f"You and {other} both want to meet again" in page
    # Ben did not answer: Sam's "again" stays hidden from him; Cleo never learns "not for me".
    ben, cleo = app.test_client(), app.test_client()
    log_in(ben, "ben@example.org", PASSWORD)
    log_in(cleo, "cleo@example.org", PASSWORD)
    assert "both want" not in ben.get("/me/connections").get_data(as_text=True)
    cleo_pages = cleo.get("/me/connections").get_data(as_text=True) + cleo.get(
        f"/me/groups/{gid}"
    ).get_data(as_text=True)
    assert "not for me" not in cleo_pages.lower() and "both want" not in cleo_pages


def test_resubmitting_replaces_the_earlier_answers(met):  # type: ignore[no-untyped-def]
    people, group = met["people"], met["group"]
    answer = feedback.Answer(attended=True, rating=3, about={people["Ana"].id: "again"})
    feedback.submit(people["Sam"], group, answer)
    feedback.submit(people["Sam"], group, feedback.Answer(attended=False, rating=None, about={}))
    assert db.session.query(PairFeedback).count() == 0
    assert db.session.scalar(select(MeetupFeedback.attended)) is False


def test_block_is_permanent_and_hides_the_person(met):  # type: ignore[no-untyped-def]
    people, group = met["people"], met["group"]
    sam, ana, ben = people["Sam"], people["Ana"], people["Ben"]
    feedback.submit(ana, group, feedback.Answer(True, 5, {sam.id: "again"}))
    feedback.submit(sam, group, feedback.Answer(True, 2, {ana.id: "block", ben.id: "again"}))
    assert db.session.query(Block).count() == 1
    assert blocks.blocked_pairs([sam.id, ana.id, ben.id]) == {tuple(sorted((sam.id, ana.id)))}
    assert ana.id not in feedback.mutual_again(sam)
    assert "Ana" not in [c.first_name for c in connections.connections_of(sam)]
    feedback.submit(sam, group, feedback.Answer(True, 2, {ana.id: "skip"}))
    assert db.session.query(Block).count() == 1, "a block is never undone"


def test_a_safety_report_reaches_the_organizers(met, app):  # type: ignore[no-untyped-def]
    people, gid = met["people"], met["group"].id
    sam = app.test_client()
    log_in(sam, "sam@example.org", PASSWORD)
    data = {
        **_form(people, {}),
        "safety_report": "Ben made me uncomfortable",
        "report_about": str(people["Ben"].id),
    }
    submit(sam, f"/me/groups/{gid}/feedback", data)
    [report] = feedback.reports_for(met["meetup"].community_id)
    assert report.text == "Ben made me uncomfortable"
    assert report.reported_id == people["Ben"].id and report.reporter_id == people["Sam"].id
    assert db.session.query(SafetyReport).count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"rating": "5"}, "Please say whether you went."),
        ({"attended": "yes"}, "Please rate the meetup from 1 to 5."),
        ({"attended": "yes", "rating": "9"}, "Please rate from 1 to 5."),
        ({"attended": "maybe", "rating": "3"}, "Not a valid choice"),
    ],
)
def test_bad_feedback_is_explained(met, app, data, message):  # type: ignore[no-untyped-def]
    sam = app.test_client()
    log_in(sam, "sam@example.org", PASSWORD)
    response = submit(sam, f"/me/groups/{met['group'].id}/feedback", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(MeetupFeedback).count() == 0


def test_feedback_before_the_meetup_or_about_strangers_is_refused(app):  # type: ignore[no-untyped-def]
    people = [person(n) for n in ("Sam", "Ana", "Ben")]
    group = matched_group(open_meetup(community_with(people)), people)
    with pytest.raises(ServiceError, match="once the meetup has started"):
        feedback.submit(people[0], group, feedback.Answer(True, 4, {}))
    move_to_past(group.meetup)
    with pytest.raises(ServiceError, match="one answer for each person"):
        feedback.submit(people[0], group, feedback.Answer(True, 4, {999: "again"}))


def test_connections_count_meetings_and_skip_no_shows(met):  # type: ignore[no-untyped-def]
    people = met["people"]
    second = open_meetup(met["meetup"].community, days=9)
    group = matched_group(second, [people["Sam"], people["Ana"], people["Ben"]])
    move_to_past(second)
    feedback.submit(people["Ben"], group, feedback.Answer(attended=False, rating=None, about={}))
    found = {c.first_name: c.times for c in connections.connections_of(people["Sam"])}
    assert found == {"Ana": 2, "Ben": 1, "Cleo": 1}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "attended",
                "rating",
                "note",
                "safety_report",
                "report_about",
                "about-1",
                "about-2",
                "about-999",
            ]
        ),
        st.text(max_size=40),
    )
)
def test_the_feedback_and_check_in_forms_never_fail_with_a_server_error(met, app, data):  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, "sam@example.org", PASSWORD)
    response = submit(client, f"/me/groups/{met['group'].id}/feedback", data)
    assert response.status_code in (302, 400)
    response = submit(client, "/me/check-in", data)
    assert response.status_code in (302, 400)
    db.session.rollback()


@pytest.mark.parametrize("odd", ["²", "٣", "-1", "1" * 30])
def test_odd_numbers_in_feedback_are_refused_not_crashed(met, app, odd):  # type: ignore[no-untyped-def]
    sam = app.test_client()
    log_in(sam, "sam@example.org", PASSWORD)
    data = {"attended": "yes", "rating": odd, "report_about": odd}
    assert submit(sam, f"/me/groups/{met['group'].id}/feedback", data).status_code == 400
