"""Database rows as the learned compatibility model's plain facts (worker/compat).

`rated_pairs(community_id)` walks the community's published meetups in time order and
returns every pair placed in the same group that is a rated pair under
`worker.compat.label` (either said "meet again": 1; someone answered the feedback form
without it: 0; neither answered: no example), with what had happened between the two
before that meetup. A seat whose member answered "Can't make it" is no seat: it neither
makes examples nor counts as having met. A member who said in the feedback that they did
not attend makes no example either, but still counts as placed with their group for
later meetups (`met_before`). Member facts are the profile as it is now (interests, about
text, languages, home point, weekly grid), with the date they joined this community; the
database keeps no history of profiles.

`history_for(community_id, member_ids, meetup_id)` gives the same history counts for a
meetup being matched, keyed by the engine's member ids, for `worker.compat.instance_terms`.
Queries select members and meetups by subqueries, never by lists of thousands of ids.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import (
    Availability,
    Group,
    GroupMember,
    Interest,
    Meetup,
    MeetupFeedback,
    MeetupSlot,
    MeetupStatus,
    Member,
    Membership,
    OptIn,
    PairFeedback,
    Rsvp,
)
from webapp.models.groups import PairChoice
from webapp.models.members import member_interests
from webapp.services import languages
from webapp.services.matching_history import Pair, pair
from worker.compat import MemberFacts, PairFacts, label


@dataclass(frozen=True)
class RatedPairs:
    """A community's rated pairs: member facts (indexed by `PairFacts.a`/`.b`), the pairs,
    each pair's 0/1 label, meetup order (0 = earliest), and the policy-weight history."""

    members: list[MemberFacts]
    pairs: list[PairFacts]
    labels: list[int]
    meetup_rank: list[int]
    mutual_before: list[int]  # earlier meetups after which both said "meet again"
    policies: list[str]  # the policy of the meetup where they met


def _published(community_id: int):  # type: ignore[no-untyped-def]
    """The ids of the community's published meetups, as a subquery (10,000 ids passed as
    parameters cost seconds to send; a subquery costs nothing)."""
    return select(Meetup.id).where(
        Meetup.community_id == community_id, Meetup.status == MeetupStatus.MATCHED
    )


def _seated(community_id: int):  # type: ignore[no-untyped-def]
    """The ids of members with a seat in the community's published meetups (subquery)."""
    return select(GroupMember.member_id).where(GroupMember.meetup_id.in_(_published(community_id)))


def _seats(community_id: int) -> list[tuple[int, int, int, datetime]]:
    """(meetup id, group id, member id, group start) of every kept seat in the community's
    published meetups, in time order."""
    rows = db.session.execute(
        select(GroupMember.meetup_id, GroupMember.group_id, GroupMember.member_id)
        .add_columns(MeetupSlot.starts_at)
        .join(Group, Group.id == GroupMember.group_id)
        .join(MeetupSlot, MeetupSlot.id == Group.slot_id)
        .join(Meetup, Meetup.id == GroupMember.meetup_id)
        .where(
            Meetup.community_id == community_id,
            Meetup.status == MeetupStatus.MATCHED,
            GroupMember.rsvp != Rsvp.CANT,
        )
        .order_by(GroupMember.group_id, GroupMember.member_id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _answers(community_id: int) -> tuple[dict, dict]:
    """(attended flag per (meetup, member) of who filled in the form, choice per
    (meetup, rater, ratee))."""
    forms = {
        (m, member): attended
        for m, member, attended in db.session.execute(
            select(
                MeetupFeedback.meetup_id, MeetupFeedback.member_id, MeetupFeedback.attended
            ).where(MeetupFeedback.meetup_id.in_(_published(community_id)))
        )
    }
    said = {
        (m, rater, ratee): choice
        for m, rater, ratee, choice in db.session.execute(
            select(
                PairFeedback.meetup_id,
                PairFeedback.rater_id,
                PairFeedback.ratee_id,
                PairFeedback.choice,
            ).where(PairFeedback.meetup_id.in_(_published(community_id)))
        )
    }
    return forms, said


def says_again(forms: dict, said: dict, meetup_id: int, rater: int, ratee: int) -> bool | None:
    """What `rater` said about `ratee` after the meetup: True ("meet again"), False
    (answered without it), None (no answer)."""
    choice = said.get((meetup_id, rater, ratee))
    if choice is not None:
        return choice == PairChoice.AGAIN
    return False if forms.get((meetup_id, rater)) else None


def rated_pairs(community_id: int) -> RatedPairs:
    """Every rated pair of the community's published meetups, earliest meetup first."""
    seats = _seats(community_id)
    starts: dict[int, datetime] = {}
    groups: dict[int, list[int]] = defaultdict(list)
    group_meetup: dict[int, int] = {}
    for meetup_id, group_id, member_id, starts_at in seats:
        starts[meetup_id] = min(starts.get(meetup_id, starts_at), starts_at)
        groups[group_id].append(member_id)
        group_meetup[group_id] = meetup_id
    order = sorted(starts, key=lambda m: (starts[m], m))
    policies = dict(
        db.session.execute(
            select(Meetup.id, Meetup.policy).where(Meetup.id.in_(_published(community_id)))
        ).all()
    )
    forms, said = _answers(community_id)
    ratings: dict[int, list[tuple[int, int, PairChoice]]] = defaultdict(list)
    for (m, rater, ratee), choice in said.items():
        ratings[m].append((rater, ratee, choice))
    member_ids = sorted({m for people in groups.values() for m in people})
    index = {m: k for k, m in enumerate(member_ids)}
    by_meetup: dict[int, list[int]] = defaultdict(list)
    for group_id in groups:
        by_meetup[group_meetup[group_id]].append(group_id)
    met: Counter[Pair] = Counter()
    again: Counter[Pair] = Counter()
    not_for_me: Counter[Pair] = Counter()
    mutual: Counter[Pair] = Counter()
    facts = member_facts(community_id, _seated(community_id))
    out = RatedPairs([facts[m] for m in member_ids], [], [], [], [], [])
    for rank, meetup_id in enumerate(order):
        for group_id in sorted(by_meetup[meetup_id]):
            people = groups[group_id]
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    if forms.get((meetup_id, a)) is False or forms.get((meetup_id, b)) is False:
                        continue  # one of them was not there
                    found = label(
                        says_again(forms, said, meetup_id, a, b),
                        says_again(forms, said, meetup_id, b, a),
                    )
                    if found is None:
                        continue
                    key = pair(a, b)
                    out.pairs.append(
                        PairFacts(
                            when=starts[meetup_id],
                            group_size=len(people),
                            a=index[a],
                            b=index[b],
                            met_before=met[key],
                            again_before=again[key],
                            not_for_me_before=not_for_me[key],
                        )
                    )
                    out.labels.append(found)
                    out.meetup_rank.append(rank)
                    out.mutual_before.append(mutual[key])
                    out.policies.append(str(policies[meetup_id]))
        _remember([groups[g] for g in by_meetup[meetup_id]], met)
        _remember_ratings(meetup_id, ratings.get(meetup_id, []), said, again, not_for_me, mutual)
    return out


def _remember(groups: list[list[int]], met: Counter) -> None:
    """Count every pair placed together at this meetup as having met."""
    for people in groups:
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                met[pair(a, b)] += 1


def _remember_ratings(
    meetup_id: int,
    ratings: list[tuple[int, int, PairChoice]],
    said: dict,
    again: Counter,
    not_for_me: Counter,
    mutual: Counter,
) -> None:
    """Add this meetup's ratings to the pairs' history."""
    for rater, ratee, choice in ratings:
        if choice == PairChoice.NOT_FOR_ME:
            not_for_me[pair(rater, ratee)] += 1
        else:
            again[pair(rater, ratee)] += 1
            if rater < ratee and said.get((meetup_id, ratee, rater)) == PairChoice.AGAIN:
                mutual[(rater, ratee)] += 1


def member_facts(community_id: int, member_ids) -> dict[int, MemberFacts]:  # type: ignore[no-untyped-def]
    """`MemberFacts` of these members (ids, or a subquery of ids), by id."""
    members = {
        row.id: row
        for row in db.session.execute(
            select(
                Member.id, Member.about, Member.languages, Member.home_lat, Member.home_lon
            ).where(Member.id.in_(member_ids))
        )
    }
    interests: dict[int, list[str]] = defaultdict(list)
    for member_id, tag in db.session.execute(  # one query, not one per member
        select(member_interests.c.member_id, Interest.name)
        .join(Interest, Interest.id == member_interests.c.interest_id)
        .where(member_interests.c.member_id.in_(member_ids))
        .order_by(member_interests.c.member_id, Interest.name)
    ):
        interests[member_id].append(tag)
    joined = dict(
        db.session.execute(
            select(Membership.member_id, Membership.joined_at).where(
                Membership.community_id == community_id, Membership.member_id.in_(member_ids)
            )
        ).all()
    )
    weekly: dict[int, set[str]] = defaultdict(set)
    for member_id, weekday, part in db.session.execute(
        select(Availability.member_id, Availability.weekday, Availability.part).where(
            Availability.member_id.in_(member_ids)
        )
    ):
        weekly[member_id].add(f"{weekday}-{part}")
    return {
        m: MemberFacts(
            interests=interests[m],
            about=members[m].about or "",
            languages=languages.known_codes(members[m].languages or []),
            home=_home(members[m].home_lat, members[m].home_lon),
            weekly=frozenset(weekly[m]),
            joined=joined.get(m),
        )
        for m in members
    }


def _home(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """(lat, lon) when both are known, as `Member.home` says."""
    return None if lat is None or lon is None else (lat, lon)


def rated_pair_count(community_id: int) -> int:
    """How many rated pairs `rated_pairs` would return, counted in one query."""
    first, second = aliased(GroupMember), aliased(GroupMember)

    def answered(member, other, attended: bool):  # type: ignore[no-untyped-def]
        form = exists().where(
            MeetupFeedback.meetup_id == first.meetup_id,
            MeetupFeedback.member_id == member.member_id,
            MeetupFeedback.attended.is_(attended),
        )
        if not attended:
            return form
        rated = exists().where(
            PairFeedback.meetup_id == first.meetup_id,
            PairFeedback.rater_id == member.member_id,
            PairFeedback.ratee_id == other.member_id,
        )
        return or_(form, rated)

    return (
        db.session.scalar(
            select(func.count())
            .select_from(first)
            .join(
                second,
                and_(second.group_id == first.group_id, second.member_id > first.member_id),
            )
            .join(Meetup, Meetup.id == first.meetup_id)
            .where(
                Meetup.community_id == community_id,
                Meetup.status == MeetupStatus.MATCHED,
                first.rsvp != Rsvp.CANT,
                second.rsvp != Rsvp.CANT,
                or_(answered(first, second, True), answered(second, first, True)),
                ~answered(first, second, False),
                ~answered(second, first, False),
            )
        )
        or 0
    )


def history_for(
    community_id: int, member_ids: list[int], meetup_id: int
) -> dict[tuple[str, str], dict[str, int]]:
    """History counts (met_before, again_before, not_for_me_before) of every pair of these
    members (opted in to `meetup_id`) with any, from the community's other published
    meetups, keyed by the engine's member ids (`instance_terms`' `history`). The members
    are selected by a subquery of the meetup's opt-ins, then narrowed to `member_ids`."""
    from webapp.services.matching import member_key  # matching imports this module

    opted = select(OptIn.member_id).where(OptIn.meetup_id == meetup_id)
    earlier = _published(community_id).where(Meetup.id != meetup_id)
    first, second = aliased(GroupMember), aliased(GroupMember)
    met = db.session.execute(
        select(first.member_id, second.member_id, func.count())
        .join(second, and_(second.group_id == first.group_id, second.member_id > first.member_id))
        .where(
            first.meetup_id.in_(earlier),
            first.member_id.in_(opted),
            second.member_id.in_(opted),
            first.rsvp != Rsvp.CANT,
            second.rsvp != Rsvp.CANT,
        )
        .group_by(first.member_id, second.member_id)
    )
    rated = db.session.execute(
        select(PairFeedback.rater_id, PairFeedback.ratee_id, PairFeedback.choice, func.count())
        .where(
            PairFeedback.meetup_id.in_(earlier),
            PairFeedback.rater_id.in_(opted),
            PairFeedback.ratee_id.in_(opted),
        )
        .group_by(PairFeedback.rater_id, PairFeedback.ratee_id, PairFeedback.choice)
    )
    counts: dict[Pair, dict[str, int]] = defaultdict(dict)
    for a, b, n in met:
        counts[pair(a, b)]["met_before"] = n
    for rater, ratee, choice, n in rated:
        name = "again_before" if choice == PairChoice.AGAIN else "not_for_me_before"
        entry = counts[pair(rater, ratee)]
        entry[name] = entry.get(name, 0) + n
    wanted = set(member_ids)
    return {
        (member_key(a), member_key(b)): c
        for (a, b), c in counts.items()
        if a in wanted and b in wanted
    }
