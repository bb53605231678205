"""Shared set-up for the member browser tests: a community with an invite link, an open
meetup, and three confirmed members waiting to be matched with a newcomer."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tests.web.members.world import free_on, person
from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus, Member, OptIn
from webapp.services import outbox
from webapp.services.communities import create_community, rotate_invite_code
from webapp.services.meetups import SlotSpec, schedule_meetup
from webapp.timeutil import weekly_window


def community_world():  # type: ignore[no-untyped-def]
    """Olivia's community with tags and an invite code, a meetup, and Ana, Ben, Cleo opted in."""
    olivia = person("Olivia")
    community = create_community(olivia, "Harbour Friends")
    community.interest_tags = ["bouldering", "sci-fi", "board games", "jazz", "cooking"]
    db.session.commit()
    code = rotate_invite_code(community, olivia)
    start = (datetime.now() + timedelta(days=4)).replace(hour=19, minute=0, second=0, microsecond=0)
    meetup = schedule_meetup(
        community,
        title="First round",
        optin_deadline_local=start - timedelta(days=1),
        slots=[SlotSpec(start, "Café Anker", "Hafenstr. 1")],
        group_min=3,
        group_max=6,
    )
    meetup.slots[0].venue.accessibility_notes = "Step-free entrance"
    window = weekly_window(meetup.slots[0].starts_at, community.timezone)
    from webapp.services.communities import join

    for name in ("Ana", "Ben", "Cleo"):
        member = person(name)
        free_on(member, *window)
        join(member, community)
        db.session.add(OptIn(meetup_id=meetup.id, member_id=member.id))
    db.session.commit()
    return community, meetup, code, window


def deliver_pending(app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    """Send every pending outbox row over real SMTP to the test server (no worker here)."""
    from sqlalchemy import select

    from webapp.models import OutboxEmail, OutboxStatus

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    db.session.expire_all()
    for email_id in db.session.scalars(
        select(OutboxEmail.id).where(OutboxEmail.status == OutboxStatus.PENDING)
    ).all():
        outbox.deliver(email_id)


def link_from(message, path: str) -> str:  # type: ignore[no-untyped-def]
    """The first link to `path` in a received email."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https?://\S+" + re.escape(path) + r"\S+", body)
    assert found, body
    return found.group(0)


def match_and_publish(meetup: Meetup) -> None:
    """Run the real matching round, then publish the preview (organizer's step) if needed."""
    from webapp.services.matching import run_matching_round

    run_matching_round(meetup.id)
    db.session.expire_all()
    meetup = db.session.get(Meetup, meetup.id)
    if meetup.status != MeetupStatus.MATCHED:
        from webapp.services.match_review import publish

        publish(meetup, None)


def member(email: str) -> Member:
    """A member by address, fresh from the database."""
    from sqlalchemy import select

    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == email))
