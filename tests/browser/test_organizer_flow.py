"""An organizer in a real browser: schedule a meetup, preview the groups, move a member,
publish, and the members' match emails reach a real SMTP server through a real worker."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Availability, Group, Meetup, Member, OptIn
from webapp.services import accounts
from webapp.services.communities import create_community, join
from webapp.services.demo_seed import DEMO_SLUG, reset_organizer_password, seed_demo
from webapp.services.profiles import interests_by_name

PASSWORD = "a long enough passphrase"
FMT = "%Y-%m-%dT%H:%M"


def _seed() -> tuple[str, list[Member]]:
    organizer = Member(
        email="olivia@example.org",
        password_hash=accounts.hash_password(PASSWORD),
        display_name="Olivia Org",
        email_confirmed_at=datetime(2030, 1, 1),
    )
    db.session.add(organizer)
    people = []
    for n, name in enumerate(["Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta"]):
        person = Member(email=f"{name.lower()}@example.org", password_hash="x", display_name=name)
        person.interests = interests_by_name(["chess", "go"] if n % 2 else ["jazz", "wine"])
        person.availability = [Availability(weekday=1, part="evening")]
        db.session.add(person)
        people.append(person)
    db.session.commit()
    community = create_community(organizer, "Harbour Friends")
    for person in people:
        join(person, community)
    return community.slug, people


def _next_tuesday_evening() -> datetime:
    day = datetime.now().replace(hour=19, minute=0, second=0, microsecond=0) + timedelta(days=3)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def test_schedule_preview_move_publish(app, live_server, page, smtp_server, celery_worker):  # type: ignore[no-untyped-def]
    slug, people = _seed()
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("olivia@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/organize/{slug}/meetups/new")
    tuesday = _next_tuesday_evening()
    page.get_by_label("Title").fill("Harbour round")
    page.get_by_label("Opt-in deadline").fill((tuesday - timedelta(days=1)).strftime(FMT))
    page.get_by_label("Smallest group").fill("3")
    page.get_by_label("Largest group").fill("4")
    page.get_by_label("Matching policy").select_option("new_faces")
    page.locator("#slots-0-starts_at").fill(tuesday.strftime(FMT))
    page.locator("#slots-0-venue_name").fill("Café Anker")
    page.locator("#slots-0-address").fill("Hafenstr. 1")
    page.locator("#slots-0-capacity").fill("20")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Harbour round is scheduled")).to_be_visible()

    meetup = db.session.scalars(select(Meetup).where(Meetup.title == "Harbour round")).one()
    for person in people:  # the members opted in meanwhile
        db.session.add(OptIn(meetup_id=meetup.id, member_id=person.id))
    db.session.commit()

    page.get_by_role("button", name="Match now").click()
    expect(page.get_by_text("Matching has started")).to_be_visible()
    deadline = time.monotonic() + 60
    while not page.get_by_role("heading", name="Preview").is_visible():
        assert time.monotonic() < deadline, "no preview appeared"
        time.sleep(0.5)
        page.reload()
    expect(page.locator("#totals")).to_contain_text("7 placed of 7 opted in")
    assert smtp_server.messages == [], "a preview sends nothing"

    db.session.expire_all()
    groups = db.session.scalars(select(Group).where(Group.meetup_id == meetup.id)).all()
    small, large = sorted(groups, key=lambda g: len(g.members))
    mover = large.members[0].member
    page.get_by_label("Member").select_option(str(mover.id))
    page.get_by_label("Into group").select_option(str(small.id))
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved.")).to_be_visible()
    expect(page.locator(f"#group-{small.id} .members")).to_contain_text(mover.display_name)

    page.get_by_role("button", name="Publish and email everyone").click()
    expect(page.get_by_text("Published: 7 match emails")).to_be_visible()
    mails = smtp_server.wait_for(7, timeout=90)
    by_address = {str(m["To"]): m for m in mails}
    assert set(by_address) == {p.email for p in people}
    body = by_address[mover.email].get_body(preferencelist=("plain",)).get_content()
    db.session.expire_all()
    others = [s.member.first_name for s in db.session.get(Group, small.id).members]
    assert all(name in body for name in others if name != mover.first_name)
    assert "Café Anker" in body

    # the café closes for a private party: the organizer moves the slot to the library
    page.get_by_role("link", name="Change times or venues").click()
    page.locator("#slots-0-venue_name").fill("Harbour Library")
    page.locator("#slots-0-address").fill("Kai 3")
    page.locator("#slots-0-accessibility").fill("Step-free entrance on the quay side")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("7 members were emailed the change")).to_be_visible()
    expect(page.get_by_text("Access: Step-free entrance on the quay side")).to_be_visible()
    updates = smtp_server.wait_for(14, timeout=90)[7:]
    assert {str(m["To"]) for m in updates} == {p.email for p in people}
    update = next(m for m in updates if str(m["To"]) == mover.email)
    assert "changed" in str(update["Subject"])
    text = update.get_body(preferencelist=("plain",)).get_content()
    assert "Harbour Library, Kai 3" in text


def test_dashboard_charts_are_styled_under_the_csp(app, live_server, page, tmp_path):  # type: ignore[no-untyped-def]
    """The demo dashboard in Chromium: no CSP violation, pygal's colours and fonts applied
    from the stylesheet, the ripple drawn as a network (a screenshot is kept in tmp_path)."""
    seed_demo(members=120)
    email, password = reset_organizer_password()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/organize/{DEMO_SLUG}")
    expect(page.locator("#chart-ripple svg.network circle").first).to_be_visible()
    line = page.locator("#chart-rates .serie-0 path.line").first
    assert line.evaluate("e => getComputedStyle(e).stroke") == "rgb(163, 67, 29)"
    assert line.evaluate("e => getComputedStyle(e).fill") == "none"
    title = page.locator("#chart-members text.title").first
    assert title.evaluate("e => getComputedStyle(e).fontSize") == "16px"
    dot = page.locator("#chart-ripple svg.network .group-0").first
    assert dot.evaluate("e => getComputedStyle(e).fill") == "rgb(163, 67, 29)"
    edges = page.locator("#chart-ripple svg.network line").count()
    assert edges > 0
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.locator("#chart-ripple").screenshot(path=str(tmp_path / "ripple.png"))
    assert refused == [], refused[:3]
