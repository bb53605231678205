"""A new person's first visit in a real browser: sign up, confirm by email, fill the profile,
join, opt in."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.journey import deliver_pending, link_from
from webapp.extensions import db
from webapp.models import Member, OptIn
from webapp.services.communities import create_community
from webapp.services.meetups import SlotSpec, schedule_meetup


def test_sign_up_profile_join_and_opt_in(app, live_server, page, smtp_server):  # type: ignore[no-untyped-def]
    organizer = Member(email="o@example.org", password_hash="x", display_name="Olivia")
    db.session.add(organizer)
    db.session.commit()
    community = create_community(organizer, "Harbour Friends")
    start = (datetime.now() + timedelta(days=4)).replace(hour=14, minute=0, second=0, microsecond=0)
    meetup = schedule_meetup(
        community,
        title="First round",
        optin_deadline_local=start - timedelta(days=1),
        slots=[SlotSpec(start, "Café")],
    )

    page.goto(live_server + "/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("What should we call you?").fill("Sam Doe")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    deliver_pending(app, smtp_server)  # the real SMTP path, to the test's SMTP server
    page.goto(link_from(smtp_server.wait_for(1)[0], "/confirm/"))
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()

    page.get_by_label("Interests, separated by commas").fill("Bouldering, sci-fi")
    page.get_by_label("Tuesday evening").check()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the grid works from the keyboard: Tab to Wednesday morning
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    page.goto(f"{live_server}/c/{community.slug}")
    page.get_by_role("button", name="Join Harbour Friends").click()
    page.goto(live_server + "/me")
    page.get_by_role("link", name="Opt in").click()
    # the slot is outside the grid Sam just gave: the page says so, and Sam ticks it anyway
    expect(page.get_by_text("Not in the times you are usually free")).to_be_visible()
    page.get_by_role("button", name="Opt in for the ticked times").click()
    expect(page.get_by_text("Please tick at least one time you can make")).to_be_visible()
    page.get_by_role("checkbox", name="at Café").check()
    page.get_by_role("button", name="Opt in for the ticked times").click()
    expect(page.get_by_text("You're in for First round")).to_be_visible()

    member = db.session.scalar(select(Member).where(Member.email == "sam@example.org"))
    assert [i.name for i in member.interests] == ["bouldering", "sci-fi"]
    assert {(a.weekday, a.part) for a in member.availability} == {(1, "evening"), (2, "morning")}
    assert (
        db.session.scalar(select(OptIn.member_id).where(OptIn.meetup_id == meetup.id)) == member.id
    )
