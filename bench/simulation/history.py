"""What a simulated community remembers between rounds, per policy run.

The fields mirror what the web app's `matching_history` reads from the database: times
each pair was placed together, mutual "meet again" per meetup, "meet again" ratings either
member of a pair gave the other, "not for me" ratings, how often each member was placed or
left unplaced, and "meet again" received. The simulator
adds the hidden truth the product never sees: good meetings per pair (for the strong-tie
rule), whether each member ever had a good meetup, and who is still around; and, for
format v2, placements whose best companion has a negative true compatibility ("alone")
and members ever placed in a group with no common language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from bench.simulation.community import Community

Pair = tuple[int, int]


class Rating(NamedTuple):
    """One rated pair after one meetup, with the pair's history before it."""

    round: int
    a: int
    b: int
    group_size: int  # members placed in the group
    met_before: int
    again_before: int
    mutual_before: int
    not_for_me_before: int
    label: int


STRONG_TIE_MEETINGS = 3  # a strong tie: met at least this many times with a good experience


@dataclass
class History:
    """Mutable state of one community under one policy."""

    community: Community
    met: Counter[Pair] = field(default_factory=Counter)
    mutual_again: Counter[Pair] = field(default_factory=Counter)
    again_ratings: Counter[Pair] = field(default_factory=Counter)
    not_for_me: Counter[Pair] = field(default_factory=Counter)
    good_meetings: Counter[Pair] = field(default_factory=Counter)
    tie_strength: Counter[Pair] = field(default_factory=Counter)
    placed: np.ndarray = field(init=False)
    unplaced: np.ndarray = field(init=False)
    again_received: np.ndarray = field(init=False)
    had_good_meetup: np.ndarray = field(init=False)
    active: np.ndarray = field(init=False)
    left: np.ndarray = field(init=False)
    engagement: np.ndarray = field(init=False)
    placements: int = 0  # member-rounds placed in a group
    alone: int = 0  # ... of which the best groupmate's true compatibility was below zero
    pairs: int = 0  # pairs placed together (member-rounds)
    pair_compatibility: float = 0.0  # ... and the sum of their true compatibility
    no_common_language: set[int] = field(default_factory=set)  # members ever placed so
    round: int = 0  # the round being simulated
    # rated pairs (issue 15): what the product would store after each meetup
    ratings: list[Rating] = field(default_factory=list)
    models: dict[int, Any] = field(default_factory=dict)  # round -> training outcome used

    def __post_init__(self) -> None:
        m = self.community.size
        self.placed = np.zeros(m, dtype=int)
        self.unplaced = np.zeros(m, dtype=int)
        self.again_received = np.zeros(m, dtype=int)
        self.had_good_meetup = np.zeros(m, dtype=bool)
        self.active = np.zeros(m, dtype=bool)
        self.left = np.zeros(m, dtype=bool)
        self.engagement = np.zeros(m)

    def strong_ties(self) -> np.ndarray:
        """Strong ties per member under the rule above."""
        counts = np.zeros(self.community.size, dtype=int)
        for (a, b), n in self.good_meetings.items():
            if n >= STRONG_TIE_MEETINGS:
                counts[a] += 1
                counts[b] += 1
        return counts

    def record_group(self, members: list[int]) -> None:
        """Count a placed group's members who are alone (by true compatibility) and, in
        the v2 world, note them if the group has no language in common."""
        c = self.community
        sub = c.compatibility[np.ix_(members, members)].copy()
        np.fill_diagonal(sub, -np.inf)
        self.placements += len(members)
        self.alone += int((sub.max(axis=1) < 0).sum())
        upper = np.triu_indices(len(members), 1)
        self.pairs += len(upper[0])
        self.pair_compatibility += float(sub[upper].sum())
        if c.world is not None and c.world.no_common_language(members):
            self.no_common_language.update(members)

    def pair_counts(self, members: list[int]) -> dict[Pair, tuple[int, int, int, int]]:
        """Per pair of ``members``: (placed together, "meet again" ratings, mutual "meet
        again" meetups, "not for me" ratings) so far."""
        return {
            (a, b): (
                self.met[(a, b)],
                self.again_ratings[(a, b)],
                self.mutual_again[(a, b)],
                self.not_for_me[(a, b)],
            )
            for a in members
            for b in members
            if a < b
        }

    def record_ratings(
        self,
        came: list[int],
        placed: int,
        answered: np.ndarray,
        again: np.ndarray,
        before: dict[Pair, tuple[int, int, int, int]],
    ) -> None:
        """Note each pair who came where at least one answered the form (the product's
        rated pairs): label 1 when either said "meet again" (worker/compat/label.py), and
        the pair's counts before this meetup (``before``; placed together excludes it)."""
        for i, a in enumerate(came):
            for j, b in enumerate(came):
                if a < b and (answered[i] or answered[j]):
                    met, again_n, mutual, nfm = before[(a, b)]
                    label = int(bool(again[i, j] or again[j, i]))
                    self.ratings.append(
                        Rating(self.round, a, b, placed, met - 1, again_n, mutual, nfm, label)
                    )

    def joined(self, round_: int) -> np.ndarray:
        """Members who had joined by ``round_`` (whether or not they left since)."""
        return self.community.join_round <= round_
