"""The adapter between the database and the pure matching engine.

`build_instance` turns a meetup's opt-ins into the engine's instance format;
`run_matching_round` solves it and stores the groups, with one outbox email per placed
member, in a single transaction that only one run can win.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict

from flask import current_app
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import (
    Availability,
    Group,
    GroupMember,
    Meetup,
    MeetupStatus,
    Member,
    OptIn,
    PairFeedback,
)
from webapp.models._time import utcnow
from webapp.models.groups import PairChoice
from webapp.services import emails
from webapp.timeutil import weekly_window
from worker.matching import solve

log = logging.getLogger(__name__)

#: Added to a pair's weight when both said "meet again" after the same meetup.
MUTUAL_AGAIN_BOND = 1.0
#: Added (negative) for each "not for me" either of them gave the other.
NOT_FOR_ME_BOND = -0.5
#: Extra placement priority per earlier round in which the member opted in but was not placed.
UNPLACED_PRIORITY_STEP = 0.5


def slot_key(slot_id: int) -> str:
    """The engine's id for a meetup slot."""
    return f"slot-{slot_id}"


def member_key(member_id: int) -> str:
    """The engine's id for a member."""
    return f"m{member_id}"


def build_instance(meetup: Meetup) -> dict:
    """The matching instance for a meetup: opted-in members, slots, history and priorities."""
    member_ids = list(
        db.session.scalars(
            select(OptIn.member_id).where(OptIn.meetup_id == meetup.id).order_by(OptIn.member_id)
        )
    )
    members = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(member_ids)))}
    windows = _availability(member_ids)
    tz = meetup.community.timezone
    slot_windows = {slot.id: weekly_window(slot.starts_at, tz) for slot in meetup.slots}
    priorities = _priorities(meetup, member_ids)
    entries = []
    for member_id in member_ids:
        member = members[member_id]
        entry: dict = {"id": member_key(member_id), "interests": [i.name for i in member.interests]}
        if windows.get(member_id):
            entry["available"] = [
                slot_key(s) for s, w in slot_windows.items() if w in windows[member_id]
            ]
        if priorities.get(member_id):
            entry["priority"] = 1.0 + UNPLACED_PRIORITY_STEP * priorities[member_id]
        entries.append(entry)
    return {
        "group_size": {"min": meetup.group_min, "max": meetup.group_max},
        "slots": [{"id": slot_key(s.id), "seats": s.venue.capacity} for s in meetup.slots],
        "members": entries,
        "pairs": _pair_bonds(member_ids),
    }


def _availability(member_ids: list[int]) -> dict[int, set[tuple[int, str]]]:
    """Weekly windows per member; members who gave none are treated as free at any slot."""
    windows: dict[int, set[tuple[int, str]]] = defaultdict(set)
    rows = db.session.execute(
        select(Availability.member_id, Availability.weekday, Availability.part).where(
            Availability.member_id.in_(member_ids)
        )
    )
    for member_id, weekday, part in rows:
        windows[member_id].add((weekday, part))
    return windows


def _priorities(meetup: Meetup, member_ids: list[int]) -> Counter[int]:
    """How many earlier matched meetups of this community each member opted into unplaced."""
    placed = (
        select(GroupMember.id)
        .where(GroupMember.meetup_id == OptIn.meetup_id, GroupMember.member_id == OptIn.member_id)
        .exists()
    )
    rows = db.session.scalars(
        select(OptIn.member_id)
        .join(Meetup, Meetup.id == OptIn.meetup_id)
        .where(
            Meetup.community_id == meetup.community_id,
            Meetup.status == MeetupStatus.MATCHED,
            Meetup.id != meetup.id,
            OptIn.member_id.in_(member_ids),
            ~placed,
        )
    )
    return Counter(rows)


def _pair_bonds(member_ids: list[int]) -> list[dict]:
    """Bonds from past feedback between these members, in the instance's `pairs` form."""
    said: dict[tuple[int, int, int], PairChoice] = {}
    rows = db.session.execute(
        select(
            PairFeedback.meetup_id,
            PairFeedback.rater_id,
            PairFeedback.ratee_id,
            PairFeedback.choice,
        ).where(PairFeedback.rater_id.in_(member_ids), PairFeedback.ratee_id.in_(member_ids))
    )
    for meetup_id, rater, ratee, choice in rows:
        said[(meetup_id, rater, ratee)] = choice
    bonds: dict[tuple[int, int], float] = defaultdict(float)
    for (meetup_id, rater, ratee), choice in said.items():
        pair = (min(rater, ratee), max(rater, ratee))
        if choice == PairChoice.NOT_FOR_ME:
            bonds[pair] += NOT_FOR_ME_BOND
        elif rater < ratee and said.get((meetup_id, ratee, rater)) == PairChoice.AGAIN:
            bonds[pair] += MUTUAL_AGAIN_BOND
    return [
        {"a": member_key(a), "b": member_key(b), "bond": bond}
        for (a, b), bond in sorted(bonds.items())
        if bond
    ]


def run_matching_round(meetup_id: int, *, notify: bool = True) -> list[int]:
    """Match an open meetup once; return the ids of the queued emails (empty if no-op).

    Safe to call twice at once: the status change from open to matched is a guarded
    UPDATE in the same transaction as the groups, so only one run commits.
    """
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None or meetup.status != MeetupStatus.OPEN:
        return []
    instance = build_instance(meetup)
    result = solve(instance, seed=meetup.id, time_limit=current_app.config["MATCH_TIME_LIMIT"])
    won = db.session.execute(
        update(Meetup)
        .where(Meetup.id == meetup.id, Meetup.status == MeetupStatus.OPEN)
        .values(status=MeetupStatus.MATCHED, matched_at=utcnow())
    ).rowcount
    if not won:
        db.session.rollback()
        return []
    slots = {slot_key(s.id): s for s in meetup.slots}
    queued = []
    for found in result["groups"]:
        group = Group(
            meetup_id=meetup.id,
            slot=slots[found["slot"]],
            score=found["score"],
            why=list(found.get("why", [])),
        )
        for key in found["members"]:
            group.members.append(GroupMember(meetup_id=meetup.id, member_id=int(key[1:])))
        db.session.add(group)
        db.session.flush()
        if notify:
            queued.extend(emails.queue_match_emails(group))
    db.session.commit()
    log.info(
        "meetup %s matched: %s groups, %s placed, %s unmatched",
        meetup.id,
        len(result["groups"]),
        result["placed"],
        len(result["unmatched"]),
    )
    return [email.id for email in queued]


def due_meetup_ids() -> list[int]:
    """Open meetups whose opt-in deadline has passed."""
    return list(
        db.session.scalars(
            select(Meetup.id).where(
                Meetup.status == MeetupStatus.OPEN, Meetup.optin_deadline <= utcnow()
            )
        )
    )
