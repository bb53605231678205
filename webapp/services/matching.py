"""The adapter between the database and the pure matching engine, and the matching policies.

`build_instance` turns a meetup's opt-ins into the engine's instance format (members,
slots with seats, pair bonds, blocks); `run_matching_round` is what "Match now" and the
scheduler call: it stores a PREVIEW (groups, unmatched with reasons; nothing sent) in a
single transaction that only one run can win. Reviewing, editing and publishing the
preview lives in `match_review`.

Policies. The engine is generic: it maximises the sum of pair weights, where a pair's
weight is its interest similarity plus the `bond`s the adapter lists. The organizer's
policy in words becomes bonds, from the member pairs' history (all numbers are the
constants in `POLICIES` and below, kept in one place so a simulation can tune them):

- "balanced" (default): each mutual "meet again" adds +4.0, each "meet again" either
  member gave the other +1.0 (so one-sided interest counts when the other skipped the form),
  each earlier shared group +0.6, each "not for me" -2.0 (so "not for me" outweighs a
  "meet again"). Tuned with the community simulation (`make simulate`; see the README):
  41% of members with a strong tie after 12 rounds vs 36% for "deepen" (6 seeds).
- "new faces": each earlier shared group -1.0 and mutual "meet again" counts for nothing,
  so the engine avoids repeats wherever interests allow; "not for me" -1.0.
- "deepen": each mutual "meet again" +2.0 and each earlier shared group +0.4, so
  pairs who both want to meet again, and whole earlier groups, are brought back together.
- "welcome newcomers" (an option on top of any policy): a first-timer (never placed in a
  published meetup of the community) gets a bond of +1.0 with every regular who rated
  well (placed at least twice and received at least two "meet again"), and placement
  priority +0.5. The engine has no "at least one of" rule, so this is a strong preference,
  not a guarantee; the preview flags any newcomer group without a regular.

"First good meetup first" (every policy): pair experience is diluted in large groups
(each pair talks less), and the engine, which maximises the sum of pair weights, fills every
group to the meetup's maximum because more pairs add more weight. So the meetup form
suggests groups of 3 to SMALL_GROUP_MAX (4) (the organizer's range is always kept as set),
and a member who has not yet given or received any "meet again" in the community (a
first-timer, or someone whose meetups have not clicked yet) gets `preferred_size` = the
meetup's minimum, so the engine's preferred-size pass moves them into the smallest groups.
Measured with the community simulation (`python -m bench.simulation --measured`, 6 seeds,
see bench/README.md), balanced with format v2 and organizers keeping the suggested range:
never had a good meetup 46% -> 37%, strong tie 29% -> 34%, left 31% -> 28%; extra
priority or bonds with their most similar members did not help.

Learned compatibility (issue 15): when the community's newest model (`compat_training`) is
adopted and the organizer has not switched it off, `compat_weights` sets the instance's
`interest_weight` and `about_weight` and adds learned bonds for pairs with history; a
missing, corrupt or outdated model falls back to the plain weight, logged and recorded.

Paused members (`Member.paused_until` in the future) are left out of the instance, and
blocked pairs (the members' `blocked_pairs` service) become the instance's `blocks`.

Format v2 (docs/matching-format.md): each member's languages (ISO 639-1 codes), about
text, home point with travel distance and preferred group size go to the engine, and each
slot carries its venue's point. A member is available at the slots they picked when opting
in (`OptIn.slot_ids`), or, for opt-ins without picks, at those their weekly grid covers.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import (
    Availability,
    GroupMember,
    MatchingPolicy,
    Meetup,
    MeetupSlot,
    MeetupStatus,
    Member,
    OptIn,
    PairFeedback,
)
from webapp.models._time import utcnow
from webapp.models.groups import PairChoice
from webapp.services import blocks, compat_weights, languages
from webapp.services import matching_history as history
from webapp.timeutil import weekly_window
from worker.matching import solve
from worker.matching.progress import ProgressCallback

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicyBonds:
    """How much each piece of a pair's history adds to its weight."""

    mutual_again: float  # per meetup after which both said "meet again"
    per_meeting: float  # per earlier shared group
    not_for_me: float  # per "not for me" either gave the other
    each_again: float = 0.0  # per "meet again" either gave the other (mutual or not)


#: The policies in words, as bonds. Tuned later by simulation: change them only here.
POLICIES: dict[MatchingPolicy, PolicyBonds] = {
    MatchingPolicy.BALANCED: PolicyBonds(
        mutual_again=4.0, per_meeting=0.6, not_for_me=-2.0, each_again=1.0
    ),
    MatchingPolicy.NEW_FACES: PolicyBonds(mutual_again=0.0, per_meeting=-1.0, not_for_me=-1.0),
    MatchingPolicy.DEEPEN: PolicyBonds(mutual_again=2.0, per_meeting=0.4, not_for_me=-1.0),
}
#: "Welcome newcomers": bond between a first-timer and a well-rated regular.
WELCOME_BOND = 1.0
#: Extra placement priority for a first-timer when welcoming newcomers.
NEWCOMER_PRIORITY = 0.5
#: A regular was placed in at least this many published meetups of the community ...
REGULAR_MIN_MEETUPS = 2
#: ... and received at least this many "meet again".
REGULAR_MIN_AGAIN = 2
#: Extra placement priority per earlier round in which the member opted in but was not placed.
UNPLACED_PRIORITY_STEP = 0.5
#: "First good meetup first": the largest group the meetup form suggests (the default).
SMALL_GROUP_MAX = 4
#: The shortest search a meetup gets when search time scales with its size
#: (`search_seconds`), unless MATCH_TIME_LIMIT is shorter still.
MIN_SEARCH_SECONDS = 0.25
#: Kept for callers of the foundation's names.
MUTUAL_AGAIN_BOND = POLICIES[MatchingPolicy.BALANCED].mutual_again
NOT_FOR_ME_BOND = POLICIES[MatchingPolicy.BALANCED].not_for_me


def slot_key(slot_id: int) -> str:
    """The engine's id for a meetup slot."""
    return f"slot-{slot_id}"


def member_key(member_id: int) -> str:
    """The engine's id for a member."""
    return f"m{member_id}"


def member_id_of(key: str) -> int:
    """The database id behind an engine member id."""
    return int(key[1:])


def matchable_member_ids(meetup: Meetup) -> list[int]:
    """Opted-in members, minus those who paused matching."""
    return list(
        db.session.scalars(
            select(OptIn.member_id)
            .join(Member, Member.id == OptIn.member_id)
            .where(
                OptIn.meetup_id == meetup.id,
                Member.paused_until.is_(None) | (Member.paused_until <= utcnow()),
            )
            .order_by(OptIn.member_id)
        )
    )


def build_instance(
    meetup: Meetup, *, exclude: set[int] | None = None, seats_taken: Counter[int] | None = None
) -> dict:
    """The matching instance for a meetup; `exclude` members and `seats_taken` per slot
    leave room for groups the organizer locked."""
    member_ids = [m for m in matchable_member_ids(meetup) if m not in (exclude or set())]
    members = {
        m.id: m
        for m in db.session.scalars(
            select(Member).where(Member.id.in_(member_ids)).options(selectinload(Member.interests))
        )
    }
    windows = _availability(member_ids)
    picks = picked_slots(meetup, member_ids)
    tz = meetup.community.timezone
    slot_windows = {slot.id: weekly_window(slot.starts_at, tz) for slot in meetup.slots}
    priorities = _priorities(meetup, member_ids)
    bonds, newcomers = policy_bonds(meetup, member_ids)
    waiting = not_yet_connected(meetup.community_id, member_ids)
    entries = []
    for member_id in member_ids:
        member = members[member_id]
        entry: dict = {
            "id": member_key(member_id),
            "interests": [i.name for i in member.interests],
        }
        if member_id in picks:
            entry["available"] = [slot_key(s) for s in slot_windows if s in picks[member_id]]
        elif windows.get(member_id):
            entry["available"] = [
                slot_key(s) for s, w in slot_windows.items() if w in windows[member_id]
            ]
        entry |= _v2_fields(meetup, member)
        if member_id in waiting:
            entry["preferred_size"] = meetup.group_min
        priority = UNPLACED_PRIORITY_STEP * priorities.get(member_id, 0)
        priority += NEWCOMER_PRIORITY if member_id in newcomers else 0.0
        if priority:
            entry["priority"] = 1.0 + priority
        entries.append(entry)
    taken = seats_taken or Counter()
    instance = {
        "version": 2,
        "group_size": {"min": meetup.group_min, "max": meetup.group_max},
        "slots": [_slot_entry(s, max(0, s.venue.capacity - taken[s.id])) for s in meetup.slots],
        "members": entries,
        "pairs": [
            {"a": member_key(a), "b": member_key(b), "bond": round(bond, 6)}
            for (a, b), bond in sorted(bonds.items())
            if bond
        ],
    }
    blocks = blocked_pairs(member_ids)
    if blocks:
        instance["blocks"] = [[member_key(a), member_key(b)] for a, b in sorted(blocks)]
    if not entries:
        return instance
    # The community's learned compatibility, when adopted and on; else the plain weight.
    return compat_weights.with_learned_terms(instance, meetup.id, meetup.community_id)


def not_yet_connected(community_id: int, member_ids: list[int]) -> set[int]:
    """The members who have neither given nor received a "meet again" after any of the
    community's meetups (first-timers included)."""
    rows = db.session.execute(
        select(PairFeedback.rater_id, PairFeedback.ratee_id)
        .join(Meetup, Meetup.id == PairFeedback.meetup_id)
        .where(
            Meetup.community_id == community_id,
            PairFeedback.choice == PairChoice.AGAIN,
            or_(PairFeedback.rater_id.in_(member_ids), PairFeedback.ratee_id.in_(member_ids)),
        )
    )
    connected = {m for rater, ratee in rows for m in (rater, ratee)}
    return set(member_ids) - connected


def _slot_entry(slot: MeetupSlot, seats: int) -> dict:
    """One slot for the engine: its id, free seats, and its venue's point when known."""
    entry: dict = {"id": slot_key(slot.id), "seats": seats}
    if slot.venue.location is not None:
        entry["location"] = list(slot.venue.location)
    return entry


def _v2_fields(meetup: Meetup, member: Member) -> dict:
    """A member's format-v2 details, each only when it can mean something: the languages
    we know the codes of, the about text, home point with travel distance (only both
    together: a distance without a home limits nothing), and a preferred group size the
    meetup's sizes allow."""
    fields: dict = {}
    codes = languages.known_codes(member.languages or [])
    if codes:
        fields["languages"] = codes
    if (member.about or "").strip():
        fields["about"] = member.about.strip()
    if member.home is not None and member.travel_km is not None:
        fields["location"] = list(member.home)
        fields["max_km"] = member.travel_km
    size = member.preferred_group_size
    if size is not None and meetup.group_min <= size <= meetup.group_max:
        fields["preferred_size"] = size
    return fields


def picked_slots(meetup: Meetup, member_ids: list[int]) -> dict[int, set[int]]:
    """The slots each member picked when opting in, for members who picked (opt-ins from
    before picking existed have none: their weekly grid decides)."""
    rows = db.session.execute(
        select(OptIn.member_id, OptIn.slot_ids).where(
            OptIn.meetup_id == meetup.id, OptIn.member_id.in_(member_ids)
        )
    )
    return {m: {int(s) for s in ids} for m, ids in rows if ids is not None}


def policy_bonds(meetup: Meetup, member_ids: list[int]) -> tuple[dict[history.Pair, float], set]:
    """Pair bonds under the meetup's policy, and the first-timers among the members."""
    weights = POLICIES[MatchingPolicy(meetup.policy)]
    mutual, not_for_me = history.feedback_between(member_ids)
    met = history.times_met(meetup.community_id, member_ids, meetup.id)
    bonds: dict[history.Pair, float] = defaultdict(float)
    for p, n in mutual.items():
        bonds[p] += weights.mutual_again * n
    if weights.each_again:
        for p, n in history.again_ratings(member_ids).items():
            bonds[p] += weights.each_again * n
    for p, n in met.items():
        bonds[p] += weights.per_meeting * n
    for p, n in not_for_me.items():
        bonds[p] += weights.not_for_me * n
    newcomers: set[int] = set()
    if meetup.welcome_newcomers:
        attended = history.meetups_attended(meetup.community_id, member_ids, meetup.id)
        praised = history.again_received(meetup.community_id, member_ids)
        newcomers = {m for m in member_ids if not attended[m]}
        regulars = [
            m
            for m in member_ids
            if attended[m] >= REGULAR_MIN_MEETUPS and praised[m] >= REGULAR_MIN_AGAIN
        ]
        for newcomer in newcomers:
            for regular in regulars:
                bonds[history.pair(newcomer, regular)] += WELCOME_BOND
    return bonds, newcomers


def blocked_pairs(member_ids: list[int]) -> set[tuple[int, int]]:
    """Pairs that must never share a group (either one blocked the other)."""
    return {history.pair(a, b) for a, b in blocks.blocked_pairs(member_ids)}


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
    """How many earlier published meetups of this community each member opted into unplaced."""
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


def solve_for(
    meetup: Meetup,
    instance: dict,
    progress: ProgressCallback | None = None,
    limit: float | None = None,
) -> dict:
    """The engine's result for an instance of this meetup (deterministic per meetup),
    searching `limit` seconds (default `search_seconds` of its size); `progress` hears
    the search's best score as it goes (`match_progress.searching`)."""
    if not instance["members"]:
        return {"groups": [], "unmatched": [], "objective": 0.0, "placed": 0, "seconds": 0.0}
    if limit is None:
        limit = search_seconds(len(instance["members"]))
    seed = meetup.id + meetup.match_version
    return solve(instance, seed=seed, time_limit=limit, progress=progress)


def search_seconds(members: int, *, rush: bool = False) -> float:
    """How long the engine searches for a meetup of this many members:
    `MATCH_SECONDS_PER_MEMBER` each (`MATCH_RUSH_SECONDS_PER_MEMBER` during a `rush`), at
    least `MIN_SEARCH_SECONDS`, at most `MATCH_TIME_LIMIT`; a per-member share of 0 gives
    every meetup the whole limit.

    A time-limited search uses all the time it is given, and small meetups settle long
    before 5 s (50 members: the 5 s result within 0.25 s; 175: within 0.5% after 1 s), so
    the whole limit for each would make a deadline hour of 2,000 meetups take 85 minutes on
    two matching processes (issue 16; figures in bench/README.md, "Deadline rush")."""
    limit = current_app.config["MATCH_TIME_LIMIT"]
    key = "MATCH_RUSH_SECONDS_PER_MEMBER" if rush else "MATCH_SECONDS_PER_MEMBER"
    per_member = current_app.config[key]
    if per_member <= 0:
        return limit
    return min(limit, max(MIN_SEARCH_SECONDS, per_member * members))


def in_rush() -> bool:
    """Whether at least `MATCH_RUSH_QUEUED` meetups are waiting for a matching worker
    (0: never). Then each search is shorter (`search_seconds`): at a deadline hour every
    organizer waits behind the queue, and the second half of a 150-member meetup's search
    buys about 0.6% of its score (`bench.generator` instances of 150 members, groups of
    3-4, two slots, 4 seeds: 0.4 s came within 0.96% of a 3 s search, 0.75 s within
    0.36%; bench/README.md, "Deadline rush")."""
    from webapp.services import match_progress  # match_progress is independent of this

    threshold = current_app.config["MATCH_RUSH_QUEUED"]
    return threshold > 0 and match_progress.waiting() >= threshold


def run_matching_round(meetup_id: int, *, notify: bool = True) -> list[int]:
    """Match an open meetup into a preview; return the ids of any queued emails.

    Nothing is sent unless the organizer opted in to "publish automatically" and the
    opt-in deadline has passed (the scheduler's run): then the preview is published at
    once. Safe to call twice at once: the change from open to previewed is a guarded
    UPDATE in the same transaction as the groups, so only one run commits. The steps,
    with the progress the organizer sees, are `match_runs.run`.
    """
    from webapp.services import match_runs  # match_runs builds on this module

    return match_runs.run(meetup_id, notify=notify)
