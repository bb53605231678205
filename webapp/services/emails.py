"""Composing emails as outbox rows, in the caller's transaction (never sent from here)."""

from __future__ import annotations

from flask import current_app, render_template

from webapp.extensions import db
from webapp.models import Group, OutboxEmail
from webapp.timeutil import to_local


def queue(
    *,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    member_id: int | None = None,
    meetup_id: int | None = None,
) -> OutboxEmail:
    """Add an outbox row to the current session; the caller's commit makes it real."""
    email = OutboxEmail(
        kind=kind,
        to_address=to_address,
        subject=subject[:255],
        body_text=body_text,
        member_id=member_id,
        meetup_id=meetup_id,
    )
    db.session.add(email)
    return email


def queue_match_emails(group: Group) -> list[OutboxEmail]:
    """One "here is your group" email per member of a freshly stored group."""
    meetup = group.meetup
    community = meetup.community
    starts = to_local(group.slot.starts_at, community.timezone)
    queued = []
    for seat in group.members:
        member = seat.member
        others = [s.member.first_name for s in group.members if s.member_id != member.id]
        body = render_template(
            "email/match.txt",
            member=member,
            others=others,
            group=group,
            meetup=meetup,
            community=community,
            starts=starts,
            venue=group.slot.venue,
            base_url=current_app.config["BASE_URL"],
        )
        queued.append(
            queue(
                kind="match",
                to_address=member.email,
                member_id=member.id,
                meetup_id=meetup.id,
                subject=f"Your group for {meetup.title}: {starts:%a %d %b, %H:%M}",
                body_text=body,
            )
        )
    db.session.flush()
    return queued
