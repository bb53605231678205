"""What the organizer sees of a matching run before (and after) publishing it.

Every group with its slot, venue, members, score and why; the unmatched with the engine's
reason; totals; and, when the meetup welcomes newcomers, which groups have a first-timer
but no regular (the engine can only prefer, not guarantee, that pairing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Group, Meetup, MeetupSlot, Member, OptIn
from webapp.services import matching
from webapp.services import matching_history as history
from webapp.services.unplaced_reasons import reason_text


@dataclass
class PreviewGroup:
    """One group as the organizer reviews it."""

    group: Group
    number: int
    slot: MeetupSlot
    members: list[Member]
    locked: bool
    newcomers: list[str] = field(default_factory=list)
    has_regular: bool = True


@dataclass
class Preview:
    """A meetup's groups, unmatched members and totals."""

    meetup: Meetup
    groups: list[PreviewGroup]
    unmatched: list[tuple[Member, str]]
    opted_in: int
    placed: int
    total_score: float

    @property
    def match_rate(self) -> float:
        """Placed / opted in (0 when nobody opted in)."""
        return self.placed / self.opted_in if self.opted_in else 0.0


def preview_of(meetup: Meetup) -> Preview:
    """The stored grouping of a meetup, ready to show."""
    locked = set(meetup.locked_group_ids or [])
    groups = list(db.session.scalars(select(Group).where(Group.meetup_id == meetup.id)))
    member_ids = [seat.member_id for g in groups for seat in g.members]
    newcomers, regulars = _newcomers_and_regulars(meetup, member_ids)
    shown = []
    for number, group in enumerate(sorted(groups, key=lambda g: (g.slot.starts_at, g.id)), 1):
        members = [seat.member for seat in group.members]
        ids = {m.id for m in members}
        shown.append(
            PreviewGroup(
                group=group,
                number=number,
                slot=group.slot,
                members=members,
                locked=group.id in locked,
                newcomers=[m.display_name for m in members if m.id in newcomers],
                has_regular=bool(ids & regulars) or not (ids & newcomers),
            )
        )
    reasons = {u["member_id"]: u["reason"] for u in meetup.unmatched or []}
    people = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(reasons)))}
    opted_in = db.session.scalar(
        select(func.count()).select_from(OptIn).where(OptIn.meetup_id == meetup.id)
    )
    return Preview(
        meetup=meetup,
        groups=shown,
        unmatched=[(people[m], reason_text(r)) for m, r in reasons.items() if m in people],
        opted_in=opted_in or 0,
        placed=len(member_ids),
        total_score=round(sum(g.score for g in groups), 2),
    )


def _newcomers_and_regulars(meetup: Meetup, member_ids: list[int]) -> tuple[set[int], set[int]]:
    """First-timers and well-rated regulars among the placed members (welcome option only)."""
    if not meetup.welcome_newcomers or not member_ids:
        return set(), set()
    attended = history.meetups_attended(meetup.community_id, member_ids, meetup.id)
    praised = history.again_received(meetup.community_id, member_ids)
    newcomers = {m for m in member_ids if not attended[m]}
    regulars = {
        m
        for m in member_ids
        if attended[m] >= matching.REGULAR_MIN_MEETUPS and praised[m] >= matching.REGULAR_MIN_AGAIN
    }
    return newcomers, regulars
