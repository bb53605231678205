"""Storing an engine result as a meetup's groups, and reading the groups back as a grouping.

Shared by the first run, re-runs around locked groups and the organizer's edits, so the
database form of a preview is written in exactly one place.
"""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import Group, GroupMember, Meetup


def store_result(meetup: Meetup, result: dict) -> list[Group]:
    """Add the result's groups to the session and record its unmatched members with reasons."""
    slots = {f"slot-{s.id}": s for s in meetup.slots}
    stored = []
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
        stored.append(group)
    meetup.unmatched = [
        {"member_id": int(u["id"][1:]), "reason": u["reason"]} for u in result["unmatched"]
    ]
    db.session.flush()
    return stored


def grouping_of(meetup: Meetup) -> dict[int, list[int]]:
    """Member ids per stored group id, as the database holds them now."""
    grouping: dict[int, list[int]] = {}
    for group in meetup.groups:
        grouping[group.id] = [seat.member_id for seat in group.members]
    return grouping


def as_result(meetup: Meetup, grouping: dict[int, list[int]], reasons: dict[int, str]) -> dict:
    """A grouping in the engine's result form, for `check_result`; `reasons` covers the rest."""
    slot_of = {group.id: group.slot_id for group in meetup.groups}
    return {
        "groups": [
            {"members": [f"m{m}" for m in members], "slot": f"slot-{slot_of[group_id]}"}
            for group_id, members in grouping.items()
            if members
        ],
        "unmatched": [{"id": f"m{m}", "reason": reason} for m, reason in reasons.items()],
    }
