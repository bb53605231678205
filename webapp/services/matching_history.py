"""What the database knows about members' past together, as input to the matching policies.

Every function takes the ids of the members being matched and answers with plain
dicts and sets, so `matching.build_instance` can turn them into the engine's pair bonds.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import GroupMember, Meetup, MeetupStatus, PairFeedback
from webapp.models.groups import PairChoice

Pair = tuple[int, int]


def pair(a: int, b: int) -> Pair:
    """A pair of member ids in canonical order."""
    return (a, b) if a < b else (b, a)


def feedback_between(member_ids: list[int]) -> tuple[Counter[Pair], Counter[Pair]]:
    """(mutual "meet again" count, "not for me" count) per pair, over all past meetups.

    A mutual "meet again" counts once per meetup after which both said it.
    """
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
    mutual: Counter[Pair] = Counter()
    not_for_me: Counter[Pair] = Counter()
    for (meetup_id, rater, ratee), choice in said.items():
        if choice == PairChoice.NOT_FOR_ME:
            not_for_me[pair(rater, ratee)] += 1
        elif rater < ratee and said.get((meetup_id, ratee, rater)) == PairChoice.AGAIN:
            mutual[(rater, ratee)] += 1
    return mutual, not_for_me


def times_met(community_id: int, member_ids: list[int], exclude_meetup: int) -> Counter[Pair]:
    """How many published meetups of the community each pair shared a group in."""
    first, second = aliased(GroupMember), aliased(GroupMember)
    rows = db.session.execute(
        select(first.member_id, second.member_id, func.count())
        .join(second, and_(second.group_id == first.group_id, second.member_id > first.member_id))
        .join(Meetup, Meetup.id == first.meetup_id)
        .where(
            Meetup.community_id == community_id,
            Meetup.status == MeetupStatus.MATCHED,
            Meetup.id != exclude_meetup,
            first.member_id.in_(member_ids),
            second.member_id.in_(member_ids),
        )
        .group_by(first.member_id, second.member_id)
    )
    return Counter({(a, b): n for a, b, n in rows})


def meetups_attended(community_id: int, member_ids: list[int], exclude_meetup: int) -> Counter[int]:
    """How many published meetups of the community each member was placed in."""
    rows = db.session.execute(
        select(GroupMember.member_id, func.count())
        .join(Meetup, Meetup.id == GroupMember.meetup_id)
        .where(
            Meetup.community_id == community_id,
            Meetup.status == MeetupStatus.MATCHED,
            Meetup.id != exclude_meetup,
            GroupMember.member_id.in_(member_ids),
        )
        .group_by(GroupMember.member_id)
    )
    return Counter(dict(rows.all()))


def again_received(community_id: int, member_ids: list[int]) -> Counter[int]:
    """How many "meet again" each member received after the community's meetups."""
    rows = db.session.execute(
        select(PairFeedback.ratee_id, func.count())
        .join(Meetup, Meetup.id == PairFeedback.meetup_id)
        .where(
            Meetup.community_id == community_id,
            PairFeedback.choice == PairChoice.AGAIN,
            PairFeedback.ratee_id.in_(member_ids),
        )
        .group_by(PairFeedback.ratee_id)
    )
    return Counter(dict(rows.all()))


def again_ratings(member_ids: list[int]) -> Counter[Pair]:
    """How many "meet again" ratings each pair gave each other (either direction, each
    meetup), over all past meetups; a mutual "meet again" counts twice here."""
    rows = db.session.execute(
        select(PairFeedback.rater_id, PairFeedback.ratee_id, func.count())
        .where(
            PairFeedback.choice == PairChoice.AGAIN,
            PairFeedback.rater_id.in_(member_ids),
            PairFeedback.ratee_id.in_(member_ids),
        )
        .group_by(PairFeedback.rater_id, PairFeedback.ratee_id)
    )
    ratings: Counter[Pair] = Counter()
    for rater, ratee, n in rows:
        ratings[pair(rater, ratee)] += n
    return ratings
