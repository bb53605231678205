"""The private 30-second feedback after a meetup, and the mutual "meet again" it reveals.

Nobody is ever told what someone said about them, except one thing: when two people both
said "I'd like to meet again" after the same meetup, both see it. "Not for me" only lowers
the pair's weight in matching; "block" is permanent and absolute (see `blocks`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import Group, MeetupFeedback, Member, PairFeedback, SafetyReport
from webapp.models._time import utcnow
from webapp.models.groups import PairChoice
from webapp.models.members import first_name
from webapp.services import blocks
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

CHOICES = ("again", "not_for_me", "skip", "block")
MAX_NOTE = 2000


@dataclass(frozen=True)
class Answer:
    """What a member submits about one meetup."""

    attended: bool
    rating: int | None
    about: dict[int, str]  # other member id -> one of CHOICES
    note: str = ""
    safety_report: str = ""
    report_about: int | None = None


def _check(member: Member, group: Group, answer: Answer) -> set[int]:
    others = {s.member_id for s in group.members if s.member_id != member.id}
    if not any(s.member_id == member.id for s in group.members):
        raise ServiceError(gettext("This is not one of your groups."))
    if group.slot.starts_at > utcnow():
        raise ServiceError(gettext("Feedback opens once the meetup has started."))
    if answer.rating is not None and answer.rating not in range(1, 6):
        raise ServiceError(gettext("Please rate from 1 to 5."), field="rating")
    if answer.attended and answer.rating is None:
        raise ServiceError(gettext("Please rate the meetup from 1 to 5."), field="rating")
    if any(k not in others or v not in CHOICES for k, v in answer.about.items()):
        raise ServiceError(gettext("Please choose one answer for each person."))
    if len(answer.note or "") > MAX_NOTE or len(answer.safety_report or "") > MAX_NOTE:
        raise ServiceError(gettext("Please keep this to 2,000 characters."), field="note")
    if answer.report_about is not None and answer.report_about not in others:
        raise ServiceError(gettext("Please choose someone from your group."), field="report_about")
    return others


def submit(member: Member, group: Group, answer: Answer) -> None:
    """Store (or replace) the member's feedback on a meetup in one commit."""
    _check(member, group, answer)
    meetup = group.meetup
    row = db.session.scalar(
        select(MeetupFeedback).where(
            MeetupFeedback.meetup_id == meetup.id, MeetupFeedback.member_id == member.id
        )
    ) or MeetupFeedback(meetup_id=meetup.id, member_id=member.id)
    row.attended = answer.attended
    row.rating = answer.rating if answer.attended else None
    row.note = (answer.note or "").strip()
    db.session.add(row)
    db.session.execute(
        delete(PairFeedback).where(
            PairFeedback.meetup_id == meetup.id, PairFeedback.rater_id == member.id
        )
    )
    for other_id, choice in sorted(answer.about.items()):
        if choice == "again":
            pair_choice = PairChoice.AGAIN
        elif choice in ("not_for_me", "block"):
            pair_choice = PairChoice.NOT_FOR_ME
        else:
            continue
        db.session.add(
            PairFeedback(
                meetup_id=meetup.id, rater_id=member.id, ratee_id=other_id, choice=pair_choice
            )
        )
        if choice == "block":
            blocks.block(member, other_id, commit=False)
    if (answer.safety_report or "").strip():
        db.session.add(
            SafetyReport(
                community_id=meetup.community_id,
                meetup_id=meetup.id,
                reporter_id=member.id,
                reported_id=answer.report_about,
                text=answer.safety_report.strip(),
            )
        )
    db.session.commit()
    log.info("member %s gave feedback on meetup %s", member.id, meetup.id)


def given(member: Member, group: Group) -> tuple[MeetupFeedback | None, dict[int, str]]:
    """The member's own earlier answers for this group's meetup (to pre-fill the form)."""
    row = db.session.scalar(
        select(MeetupFeedback).where(
            MeetupFeedback.meetup_id == group.meetup_id, MeetupFeedback.member_id == member.id
        )
    )
    said = {
        ratee: choice.value
        for ratee, choice in db.session.execute(
            select(PairFeedback.ratee_id, PairFeedback.choice).where(
                PairFeedback.meetup_id == group.meetup_id, PairFeedback.rater_id == member.id
            )
        )
    }
    blocked = blocks.blocked_by(member.id)
    return row, {k: ("block" if k in blocked else v) for k, v in said.items()}


_mine, _theirs = aliased(PairFeedback), aliased(PairFeedback)
#: Built once, like the other statements of the member pages: building a statement and its
#: cache key costs more CPU than running it (issue 8's load bench).
_MUTUAL_AGAIN = (
    select(Member.id, Member.display_name)
    .join(_mine, _mine.ratee_id == Member.id)
    .join(
        _theirs,
        (_theirs.meetup_id == _mine.meetup_id)
        & (_theirs.rater_id == _mine.ratee_id)
        & (_theirs.ratee_id == _mine.rater_id),
    )
    .where(
        _mine.rater_id == bindparam("member_id"),
        _mine.choice == PairChoice.AGAIN,
        _theirs.choice == PairChoice.AGAIN,
        Member.deleted_at.is_(None),
    )
)


def mutual_again(member: Member) -> dict[int, str]:
    """Members who, after some meetup, said "meet again" about this member when this
    member said it about them: id -> first name. Blocked pairs never show."""
    rows = db.session.execute(_MUTUAL_AGAIN, {"member_id": member.id})
    blocked = blocks.blocked_with(member.id)
    return {mid: first_name(name, None) for mid, name in rows if mid not in blocked}


def reports_for(community_id: int) -> list[SafetyReport]:
    """Safety reports of a community, newest first (for its organizers' pages)."""
    return list(
        db.session.scalars(
            select(SafetyReport)
            .where(SafetyReport.community_id == community_id)
            .order_by(SafetyReport.created_at.desc(), SafetyReport.id.desc())
        )
    )
