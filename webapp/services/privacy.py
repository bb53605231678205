"""Privacy: download all my data, and delete my account.

The download holds everything about the member and nothing about anyone else (what they
said about others is there, but not who it was about). Deletion removes every piece of
personal data, ends every session, and keeps only anonymous traces that organizers'
aggregates rely on: the row becomes a nameless shell ("A former member"), ratings and
pair history stay without a person behind them, check-ins lose their owner.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from webapp.extensions import db
from webapp.models import (
    Availability,
    Block,
    GroupMember,
    LonelinessCheckin,
    Meetup,
    MeetupFeedback,
    MeetupStatus,
    Member,
    Membership,
    OptIn,
    OutboxEmail,
    OutboxStatus,
    PairFeedback,
    SafetyReport,
)
from webapp.models._time import utcnow
from webapp.models.members import new_session_token
from webapp.services import rsvp
from webapp.services.communities import communities_of
from webapp.services.errors import ServiceError
from webapp.services.groups import groups_of

log = logging.getLogger(__name__)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def export_data(member: Member) -> dict[str, Any]:
    """Everything Hearth stores about the member, and only them, as JSON-ready data."""
    return {
        "account": {
            "email": member.email,
            "display_name": member.display_name,
            "created_at": _when(member.created_at),
            "email_confirmed_at": _when(member.email_confirmed_at),
            "paused_until": _when(member.paused_until),
        },
        "profile": {
            "about": member.about,
            "interests": [i.name for i in member.interests],
            "availability": [{"weekday": a.weekday, "part": a.part} for a in member.availability],
            "area": member.area,
            "home": list(member.home) if member.home else None,
            "travel_km": member.travel_km,
            "preferred_group_size": member.preferred_group_size,
            "no_groups_of_two": member.no_groups_of_two,
            "languages": list(member.languages or []),
            "diet": member.diet,
            "accessibility_needs": member.accessibility_needs,
        },
        "communities": [{"name": c.name, "role": role.value} for c, role in communities_of(member)],
        "opt_ins": [
            {"meetup": title, "at": _when(at)}
            for title, at in db.session.execute(
                select(Meetup.title, OptIn.created_at)
                .join(OptIn, OptIn.meetup_id == Meetup.id)
                .where(OptIn.member_id == member.id)
            )
        ],
        "groups": [
            {
                "meetup": g.meetup.title,
                "starts_at": _when(g.starts_at),
                "venue": g.group.slot.venue.name,
                "my_answer": g.my_rsvp.value,
            }
            for g in groups_of(member)
        ],
        "feedback": [
            {"meetup_id": f.meetup_id, "attended": f.attended, "rating": f.rating, "note": f.note}
            for f in db.session.scalars(
                select(MeetupFeedback).where(MeetupFeedback.member_id == member.id)
            )
        ],
        "said_about_others": [
            {"meetup_id": p.meetup_id, "choice": p.choice.value}
            for p in db.session.scalars(
                select(PairFeedback).where(PairFeedback.rater_id == member.id)
            )
        ],
        "people_blocked": len(
            db.session.scalars(select(Block.id).where(Block.blocker_id == member.id)).all()
        ),
        "check_ins": [
            {
                "at": _when(c.created_at),
                "lack_companionship": c.lack_companionship,
                "left_out": c.left_out,
                "isolated": c.isolated,
            }
            for c in db.session.scalars(
                select(LonelinessCheckin).where(LonelinessCheckin.member_id == member.id)
            )
        ],
        "safety_reports": [
            {"at": _when(r.created_at), "text": r.text}
            for r in db.session.scalars(
                select(SafetyReport).where(SafetyReport.reporter_id == member.id)
            )
        ],
        "emails": [
            {"kind": e.kind, "subject": e.subject, "at": _when(e.created_at)}
            for e in db.session.scalars(
                select(OutboxEmail).where(OutboxEmail.member_id == member.id)
            )
        ],
    }


def delete_account(member: Member) -> None:
    """Remove the member's personal data for good and end every session."""
    for seat in db.session.scalars(
        select(GroupMember)
        .join(Meetup, Meetup.id == GroupMember.meetup_id)
        .where(GroupMember.member_id == member.id, Meetup.status == MeetupStatus.MATCHED)
    ).all():
        if seat.group.slot.starts_at > utcnow():
            try:
                rsvp.cancel(member, seat.group)  # the group is told; standby may fill the seat
            except ServiceError:  # it started in the meantime: nothing to tell
                db.session.rollback()
    old_email, member_id = member.email, member.id
    db.session.execute(delete(OptIn).where(OptIn.member_id == member_id))
    db.session.execute(delete(Membership).where(Membership.member_id == member_id))
    db.session.execute(delete(Availability).where(Availability.member_id == member_id))
    db.session.execute(
        update(MeetupFeedback).where(MeetupFeedback.member_id == member_id).values(note="")
    )
    db.session.execute(
        update(LonelinessCheckin)
        .where(LonelinessCheckin.member_id == member_id)
        .values(member_id=None)
    )
    db.session.execute(
        update(SafetyReport).where(SafetyReport.reporter_id == member_id).values(reporter_id=None)
    )
    mail = or_(OutboxEmail.member_id == member_id, OutboxEmail.to_address == old_email)
    db.session.execute(
        update(OutboxEmail)
        .where(mail, OutboxEmail.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.FAILED, last_error="account deleted")
    )
    scrubbed = {"to_address": "deleted@deleted.invalid", "body_text": "", "member_id": None}
    for column in ("body_html", "calendar_ics", "unsubscribe_url"):  # the pipeline's, if any
        if hasattr(OutboxEmail, column):
            scrubbed[column] = ""
    db.session.execute(update(OutboxEmail).where(mail).values(**scrubbed))
    member.interests = []
    member.email = f"deleted-{member_id}@deleted.invalid"
    member.display_name = "Former member"
    member.password_hash = "!deleted"
    member.about = member.area = member.diet = member.accessibility_needs = ""
    member.travel_km = member.preferred_group_size = None
    member.home_lat = member.home_lon = None
    member.languages = []
    member.no_groups_of_two = False
    member.email_confirmed_at = member.paused_until = None
    member.session_token = new_session_token()
    member.deleted_at = utcnow()
    db.session.commit()
    log.info("member %s deleted their account", member_id)
