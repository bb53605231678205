"""One-click links: signed for one member and one target, expiring, GET never changes state."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from tests.worker import factories
from webapp.extensions import db
from webapp.models import Availability, MeetupFeedback, MeetupStatus, OptIn, PairFeedback
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail
from webapp.services import emails, links
from webapp.services.errors import ServiceError
from webapp.services.links import Action


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_token_is_bound_to_its_action_member_and_target(app):  # type: ignore[no-untyped-def]
    token = links.make_token(Action.IM_IN, 7, 3)
    claim = links.verify(Action.IM_IN, token)
    assert (claim.member_id, claim.meetup_id) == (7, 3)
    with pytest.raises(ServiceError, match="not valid"):
        links.verify(Action.UNSUBSCRIBE, token)  # another action's salt
    with pytest.raises(ServiceError, match="not valid"):
        links.verify(Action.IM_IN, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_a_token_expires(app):  # type: ignore[no-untyped-def]
    app.config["LINK_MAX_AGE_DAYS"] = 0
    token = links.make_token(Action.OPT_IN, 7, 3)
    time.sleep(1.1)
    with pytest.raises(ServiceError, match="expired"):
        links.verify(Action.OPT_IN, token)


def test_opt_in_link_asks_on_get_and_acts_on_post(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    round_ = factories.meetup(place)
    db.session.commit()
    url = _path(links.link(Action.OPT_IN, person.id, round_.id))
    page = client.get(url)
    assert page.status_code == 200 and "Yes, match me" in page.get_data(as_text=True)
    assert db.session.scalar(select(OptIn.id)) is None, "a GET (mail scanner) changes nothing"
    done = client.post(url)
    assert done.status_code == 200 and "You&#39;re in" in done.get_data(as_text=True)
    assert db.session.scalar(select(OptIn.member_id)) == person.id


def test_an_opt_in_link_that_fits_no_time_says_how_to_fix_it(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    person.availability = [Availability(weekday=0, part="morning")]
    round_ = factories.meetup(place, starts_at=datetime(2030, 1, 1, 18, 0))  # a Tuesday evening
    db.session.commit()
    done = client.post(_path(links.link(Action.OPT_IN, person.id, round_.id)))
    page = done.get_data(as_text=True)
    assert done.status_code == 400 and "None of the times of First round" in page
    assert f'href="/meetups/{round_.id}/opt-in">Choose the times you can make' in page
    assert db.session.scalar(select(OptIn.id)) is None


def test_a_forged_or_foreign_link_changes_nothing(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    round_ = factories.meetup(place)
    db.session.commit()
    url = _path(links.link(Action.OPT_IN, person.id, round_.id))
    forged = client.post(url[:-3] + "xyz")
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)
    assert client.post("/l/no-such-action/abc").status_code == 404
    assert db.session.scalar(select(OptIn.id)) is None


def test_opt_in_after_the_deadline_says_why(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    round_ = factories.meetup(place, deadline=utcnow() - timedelta(hours=1))
    db.session.commit()
    done = client.post(_path(links.link(Action.OPT_IN, person.id, round_.id)))
    assert done.status_code == 400 and "closed" in done.get_data(as_text=True)


def test_rfc8058_one_click_unsubscribe(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    db.session.commit()
    url = _path(links.link(Action.UNSUBSCRIBE, person.id, kind="reminder_morning"))
    assert client.get(url).status_code == 200
    assert emails.wants(person.id, "reminder_morning")
    answer = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert not emails.wants(person.id, "reminder_morning")
    assert emails.wants(person.id, "reminder_day_before"), "only that kind is switched off"


def test_im_in_and_cant_make_it_answer_for_that_member_only(app, client):  # type: ignore[no-untyped-def]
    round_, group, people = factories.published_round(size=3)
    db.session.commit()
    im_in = _path(links.link(Action.IM_IN, people[0].id, round_.id))
    assert "Yes, I&#39;m in" in client.get(im_in).get_data(as_text=True)
    assert {str(s.rsvp) for s in group.members} != {"going"}
    assert client.post(im_in).status_code == 200
    cant = _path(links.link(Action.CANT_MAKE_IT, people[1].id, round_.id))
    assert client.post(cant).status_code == 200
    db.session.expire_all()
    answers = {s.member_id: str(s.rsvp) for s in group.members}
    assert answers[people[0].id] == "going" and answers[people[1].id] == "cant"
    assert answers[people[2].id] not in {"going", "cant"}, "nobody else's answer changed"
    told = db.session.scalars(select(OutboxEmail.member_id)).all()
    assert people[1].id not in told and people[0].id in told, "the group hears about it"


def test_a_link_for_another_meetup_finds_no_group(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    round_ = factories.meetup(place, status=MeetupStatus.MATCHED)
    db.session.commit()
    done = client.post(_path(links.link(Action.IM_IN, person.id, round_.id)))
    assert done.status_code == 400 and "no longer in a group" in done.get_data(as_text=True)


def test_feedback_form_from_the_email(app, client):  # type: ignore[no-untyped-def]
    round_, group, people = factories.published_round(
        size=3, starts_at=utcnow().replace(microsecond=0) - timedelta(hours=3)
    )
    db.session.commit()
    url = _path(links.link(Action.FEEDBACK, people[0].id, round_.id))
    page = client.get(url).get_data(as_text=True)
    assert 'for="rating-5"' in page and "Person1" in page and "Person2" in page
    missing = client.post(url, data={"attended": "yes"})
    assert missing.status_code == 400 and "rate the meetup" in missing.get_data(as_text=True)
    assert db.session.scalar(select(MeetupFeedback.id)) is None
    done = client.post(
        url,
        data={"attended": "yes", "rating": "5", f"about-{people[1].id}": "again"},
    )
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    saved = db.session.scalar(select(MeetupFeedback))
    assert (saved.member_id, saved.rating) == (people[0].id, 5)
    [pair] = db.session.scalars(select(PairFeedback)).all()
    assert (pair.rater_id, pair.ratee_id, str(pair.choice)) == (people[0].id, people[1].id, "again")


def test_private_calendar_feed(app, client):  # type: ignore[no-untyped-def]
    round_, group, people = factories.published_round(size=3)
    emails.queue_match_emails(group)
    db.session.commit()
    url = _path(links.link(Action.CALENDAR, people[0].id))
    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(answer.get_data())
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meetup-{round_.id}-member-{people[0].id}@127.0.0.1"
    assert "METHOD" not in cal
    assert client.get(url.replace(".ics", "x.ics")).status_code == 404


def test_email_settings_page_switches_kinds_on_and_off(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    person = factories.member(place, 1)
    db.session.commit()
    url = _path(links.link(Action.PREFERENCES, person.id))
    page = client.get(url).get_data(as_text=True)
    assert page.count("checked") == len(emails.OPTIONAL_KINDS)
    assert 'for="kind-reminder_morning"' in page
    saved = client.post(url, data={"kinds": ["invitation", "feedback_request"]})
    assert saved.status_code == 200 and "Saved." in saved.get_data(as_text=True)
    assert emails.preferences(person.id) == {
        kind: kind in {"invitation", "feedback_request"} for kind in emails.OPTIONAL_KINDS
    }
    assert client.get(url[:-4] + "abcd").status_code == 400
