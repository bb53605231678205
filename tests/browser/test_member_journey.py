"""A newcomer's whole journey in a real browser: landing page to confirmed account with a
complete profile and an opt-in (timed), then their group, "I'm in", and feedback."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.journey import (
    community_world,
    deliver_pending,
    link_from,
    match_and_publish,
    member,
)
from tests.web.members.world import move_to_past
from webapp.extensions import db
from webapp.models import GroupMember, MeetupFeedback, OptIn, Rsvp
from webapp.templating import WEEKDAYS


def test_landing_to_opt_in_under_two_minutes_then_group_and_feedback(  # type: ignore[no-untyped-def]
    app, live_server, page, smtp_server
):
    community, meetup, code, (weekday, part) = community_world()
    started = time.monotonic()

    page.goto(live_server + "/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("What should we call you?").fill("Sam Doe")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    deliver_pending(app, smtp_server)
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "sam@example.org"
    page.goto(link_from(mail, "/confirm/"))
    expect(page.get_by_text("Your address is confirmed.")).to_be_visible()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()

    page.get_by_label("Interests, separated by commas").fill("Bouldering, sci-fi")
    page.get_by_label(f"{WEEKDAYS[weekday]} {part}").check()
    page.get_by_label("What would you love to talk about?").fill("Climbing trips and space operas")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    page.goto(f"{live_server}/join/{code}")
    page.get_by_role("button", name="Join Harbour Friends").click()
    expect(page.get_by_text("Welcome to Harbour Friends!")).to_be_visible()
    page.get_by_role("link", name="My page").click()
    page.get_by_role("link", name="Opt in").click()
    expect(page.get_by_role("checkbox", name="at Café Anker")).to_be_checked()  # from the grid
    page.get_by_role("button", name="Opt in for the ticked times").click()
    expect(page.get_by_text("You're in for First round")).to_be_visible()

    elapsed = time.monotonic() - started
    print(f"\nlanding page to confirmed account, complete profile and opt-in: {elapsed:.1f} s")
    assert elapsed < 120
    sam = member("sam@example.org")
    assert sam.email_confirmed_at is not None and [i.name for i in sam.interests] == [
        "bouldering",
        "sci-fi",
    ]
    assert db.session.query(OptIn).filter_by(member_id=sam.id).count() == 1

    match_and_publish(meetup)
    page.goto(live_server + "/me")
    expect(page.get_by_text("You all like")).to_be_visible()
    page.get_by_role("link", name="First round").click()
    for name in ("Ana", "Ben", "Cleo"):
        expect(page.get_by_text(name, exact=True).or_(page.get_by_text(name + " ·"))).to_have_count(
            1
        )
    expect(page.get_by_text("Step-free entrance")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")
    page.get_by_role("button", name="I'm in").click()
    expect(page.get_by_text("You said you're in.")).to_be_visible()
    seat = db.session.query(GroupMember).filter_by(member_id=sam.id).one()
    db.session.refresh(seat)
    assert seat.rsvp == Rsvp.GOING

    move_to_past(meetup)
    page.reload()
    page.get_by_role("link", name="How was it? 30-second feedback").click()
    page.get_by_label("Yes").check()
    page.get_by_label("5", exact=True).check()
    page.get_by_role("group", name="Ana").get_by_label("I'd like to meet again").check()
    page.get_by_role("group", name="Ben").get_by_label("Not for me").check()
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_text("Thank you! Your answers are private.")).to_be_visible()
    expect(page.get_by_role("heading", name="My connections")).to_be_visible()
    row = db.session.query(MeetupFeedback).filter_by(member_id=sam.id).one()
    assert (row.attended, row.rating) == (True, 5)
    _ = community
