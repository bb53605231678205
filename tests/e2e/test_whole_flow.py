"""The whole flow over HTTP: sign-up to match email, through a real worker and SMTP server."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.helpers import fill_profile, sign_up, submit
from webapp.extensions import db
from webapp.models import Group, OutboxEmail, OutboxStatus

MEMBERS = [
    ("Alice Moss", "bouldering, sci-fi, board games"),
    ("Bruno Reyes", "bouldering, sci-fi"),
    ("Chen Wu", "bouldering, Sci-Fi ,  hiking"),
    ("Dana Ives", "jazz, cooking, wine"),
    ("Emre Kaya", "jazz, cooking"),
    ("Fiona Park", "jazz, wine, cooking"),
    ("Gus Lund", "board games, sci-fi, bouldering"),
]


def test_sign_up_to_match_email(app, client, smtp_server, celery_worker):  # type: ignore[no-untyped-def]
    """Members sign up and opt in; "Match now" runs the worker; each gets their group by email."""
    organizer = app.test_client()
    sign_up(organizer, "olivia@example.org", "Olivia Org")
    created = submit(
        organizer,
        "/communities/new",
        {"name": "Harbour Friends", "description": "Hi", "timezone": "Europe/Berlin"},
    )
    assert created.status_code == 302
    slug = created.headers["Location"].rsplit("/", 1)[-1]
    tuesday = _next_weekday(1, hour=19)
    created = submit(
        organizer,
        f"/organize/{slug}/meetups/new",
        {
            "title": "First round",
            "optin_deadline": (tuesday - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "group_min": "3",
            "group_max": "4",
            "slots-0-starts_at": tuesday.strftime("%Y-%m-%dT%H:%M"),
            "slots-0-venue_name": "Café Anker",
            "slots-0-address": "Hafenstr. 1",
            "slots-0-capacity": "20",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    meetup_url = created.headers["Location"]
    meetup_id = int(meetup_url.rsplit("/", 1)[-1])

    members = {}
    for n, (name, interests) in enumerate(MEMBERS):
        browser = app.test_client()
        email = f"member{n}@example.org"
        assert sign_up(browser, email, name).status_code == 302
        assert fill_profile(browser, name, interests, ["1-evening", "5-morning"]).status_code == 302
        assert submit(browser, f"/c/{slug}", {}, action=f"/c/{slug}/join").status_code == 302
        opted = submit(
            browser, "/me", {}, action=f"/meetups/{meetup_id}/opt-in", follow_redirects=True
        )
        assert "You&#39;re in for First round" in opted.get_data(as_text=True)
        members[email] = (name.split()[0], browser)

    matched = submit(organizer, meetup_url, {}, action=f"{meetup_url}/match")
    assert matched.status_code == 302
    groups = _wait_for_groups(meetup_id)  # the worker stored a preview ...
    preview = organizer.get(meetup_url).get_data(as_text=True)
    assert "nothing sent yet" in preview and "7</strong> placed" in preview
    match_rows = select(OutboxEmail).where(OutboxEmail.kind == "match")
    assert db.session.scalars(match_rows).all() == [], "... and sent nothing"
    published = submit(organizer, meetup_url, {}, action=f"{meetup_url}/publish")
    assert published.status_code == 302
    mails = _wait_for_match_mails(smtp_server, len(MEMBERS))
    groups = _wait_for_groups(meetup_id)
    by_email = {}
    for group in groups:
        names = {s.member.email: s.member.first_name for s in group.members}
        for email in names:
            by_email[email] = {n for e, n in names.items() if e != email}
    assert sorted(by_email) == sorted(members), "every member placed exactly once"
    assert len(mails) == len(MEMBERS)
    for mail in mails:
        to = mail["To"]
        body = mail.get_body(preferencelist=("plain",)).get_content()
        assert "Café Anker, Hafenstr. 1" in body
        who = re.search(r"Who:\s+(.*) and you", body).group(1).split(", ")
        assert set(who) == by_email[to], f"{to} got the wrong group"
    sent = db.session.scalars(select(OutboxEmail.status).where(OutboxEmail.kind == "match"))
    assert sent.all() == [OutboxStatus.SENT] * len(MEMBERS)

    first_name, browser = members["member0@example.org"]
    page = browser.get("/me").get_data(as_text=True)
    assert all(name in page for name in by_email["member0@example.org"])
    assert "member1@example.org" not in page, "other members' emails are never shown"
    dashboard = organizer.get(f"/organize/{slug}").get_data(as_text=True)
    assert re.search(r"<td>matched</td><td>7</td><td>7</td><td>7</td>", dashboard)


def _next_weekday(weekday: int, hour: int) -> datetime:
    """The next given weekday at least two days away, at the given hour (naive local)."""
    day = datetime.now().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=2)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _wait_for_match_mails(inbox, count: int, timeout: float = 90) -> list:  # type: ignore[no-untyped-def]
    """The match emails ("Your group for ...") once `count` arrived; other mail is ignored."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = [m for m in inbox.messages if str(m["Subject"]).startswith("Your group for")]
        if len(mails) >= count:
            return mails
        time.sleep(0.3)
    raise AssertionError(f"expected {count} match emails, got {len(inbox.messages)} emails")


def _stored(meetup_id: int) -> bool:
    """True once the worker's run committed (preview or published), not half-way."""
    from webapp.models import Meetup, MeetupStatus

    return db.session.get(Meetup, meetup_id).status != MeetupStatus.OPEN


def _wait_for_groups(meetup_id: int, timeout: float = 30) -> list[Group]:
    """The meetup's groups once the worker committed them and marked their emails sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        pending = db.session.scalar(
            select(OutboxEmail.id).where(OutboxEmail.status == OutboxStatus.PENDING)
        )
        groups = db.session.scalars(select(Group).where(Group.meetup_id == meetup_id)).all()
        if groups and pending is None and _stored(meetup_id):
            return list(groups)
        time.sleep(0.3)
    raise AssertionError("the worker did not store groups in time")
