"""One policy run: weekly rounds of opt-in, grouping, meeting, feedback, joining and leaving.

Behaviour (all constants below, fixed before any policy was compared):
- Opt-in: probability sigmoid(engagement); engagement starts at ENGAGEMENT_BASE minus
  LONELY_WITHDRAWAL x loneliness, rises by GOOD_GAIN after a good meetup, falls by POOR_LOSS
  after a poor one and by UNPLACED_LOSS after opting in and being left unplaced.
- Attendance: a placed member comes with SHOW_IF_FREE if truly free at the slot, else
  SHOW_IF_NOT_FREE (declared availability is noisy).
- Experience of a pair who met: (true compatibility + EXPERIENCE_NOISE x noise) x dilution,
  dilution = min(1, sqrt(2 / (attendees - 1))): the larger the group, the less each pair
  talks. A pair's meeting is good at >= GOOD_PAIR; its tie strength adds the experience.
- A member's meetup is good when their mean perceived experience (experience + perception
  noise - LONELY_BIAS x loneliness) with the others is >= GOOD_MEETUP.
- Feedback, the product's choices: a member skips the form with FEEDBACK_SKIP; otherwise
  per groupmate "meet again" at perceived >= AGAIN_AT, "not for me" at <= NOT_FOR_ME_AT,
  else skip. It flows into the next round through the policy's bonds.
- Leaving: after each round a member leaves with LEAVE_MAX x sigmoid(-2 x engagement),
  halved for members who have a strong tie (friends keep people coming).
- In the v2 world (`world.py`), also: a member placed at a venue beyond their travel
  distance shows up less often and finds the meetup worse, a size they dislike costs a
  little, and a member who shares no language with anyone who came has a bad meetup.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from bench.simulation.community import Community
from bench.simulation.formats import V1, Format
from bench.simulation.history import History
from bench.simulation.policies import Constants, Policy, group
from bench.simulation.world import FAR_SHOW_FACTOR

log = logging.getLogger(__name__)

ENGAGEMENT_BASE = 0.8
LONELY_WITHDRAWAL = 1.0
GOOD_GAIN = 0.5
POOR_LOSS = 0.5
UNPLACED_LOSS = 0.6
SHOW_IF_FREE = 0.93
SHOW_IF_NOT_FREE = 0.35
EXPERIENCE_NOISE = 0.3
GOOD_PAIR = 0.3
PERCEPTION_NOISE = 0.1
LONELY_BIAS = 0.15
GOOD_MEETUP = 0.1
FEEDBACK_SKIP = 0.3
AGAIN_AT = 0.3
NOT_FOR_ME_AT = -0.15
LEAVE_MAX = 0.08
# streams of per-round random draws (shared by all policies)
OPT_IN, SHOW, SKIP, LEAVE, EXPERIENCE, PERCEPTION = range(6)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def simulate(
    community: Community, policy: Policy, constants: Constants, fmt: Format = V1
) -> tuple[History, list]:
    """Run all rounds with instances in format ``fmt``; returns the final history and the
    share with a strong tie per round."""
    history = History(community)
    history.engagement[:] = ENGAGEMENT_BASE - LONELY_WITHDRAWAL * community.loneliness
    series = []
    for r in range(1, community.rounds + 1):
        history.round = r
        history.active = history.joined(r) & ~history.left
        opt_in = community.draws(r, (community.size,), OPT_IN) < sigmoid(history.engagement)
        opted = np.flatnonzero(history.active & opt_in).tolist()
        groups = group(policy, opted, history, constants, community.seed * 1000 + r, fmt)
        placed = {m for members, _ in groups for m in members}
        for m in opted:
            if m not in placed:
                history.unplaced[m] += 1
                history.engagement[m] -= UNPLACED_LOSS
        draws = RoundDraws.of(community, r)
        for members, slot in groups:
            meet(history, draws, members, community.slot_ids.index(slot))
        leave(history, r)
        joined = history.joined(r)
        series.append(float((history.strong_ties()[joined] > 0).mean()))
    log.info(
        "simulated %s on seed %s: %.3f with a strong tie", policy.name, community.seed, series[-1]
    )
    return history, series


@dataclass(frozen=True)
class RoundDraws:
    """One round's chance events, drawn once and shared by every group and policy."""

    show: np.ndarray
    skip: np.ndarray
    experience: np.ndarray
    perception: np.ndarray

    @staticmethod
    def of(community: Community, r: int) -> RoundDraws:
        """The draws of round ``r``."""
        m = community.size
        return RoundDraws(
            show=community.draws(r, (m,), SHOW),
            skip=community.draws(r, (m,), SKIP),
            experience=community.noise(r, EXPERIENCE),
            perception=np.random.default_rng([community.seed, r, PERCEPTION]).normal(size=(m, m)),
        )


def meet(history: History, draws: RoundDraws, members: list[int], slot: int) -> None:
    """One group's meetup: who came, what each pair experienced, feedback, engagement."""
    c = history.community
    history.record_group(members)
    for m in members:
        history.placed[m] += 1
    for a in members:
        for b in members:
            if a < b:
                history.met[(a, b)] += 1
    show_p = np.where(c.truly_free[members, slot], SHOW_IF_FREE, SHOW_IF_NOT_FREE)
    if c.world is not None:
        show_p = np.where(c.world.reach[members, slot], show_p, show_p * FAR_SHOW_FACTOR)
    came = [m for m, p in zip(members, show_p, strict=True) if draws.show[m] < p]
    if len(came) < 2:
        return
    idx = np.asarray(came)
    dilution = min(1.0, np.sqrt(2.0 / (len(came) - 1)))
    noise = draws.experience[np.ix_(idx, idx)]
    experience = (c.compatibility[np.ix_(idx, idx)] + EXPERIENCE_NOISE * noise) * dilution
    perceived = experience + PERCEPTION_NOISE * draws.perception[np.ix_(idx, idx)]
    perceived -= LONELY_BIAS * c.loneliness[idx][:, None]
    skip = draws.skip[idx] < FEEDBACK_SKIP
    again = (perceived >= AGAIN_AT) & ~skip[:, None]
    np.fill_diagonal(again, False)
    before = history.pair_counts(came)
    penalty, mute = np.zeros(len(came)), np.zeros(len(came), dtype=bool)
    if c.world is not None:
        penalty, mute = c.world.meetup_penalty(came, slot), c.world.isolated(came)
    for i, a in enumerate(came):
        others = [j for j in range(len(came)) if j != i]
        good = perceived[i, others].mean() - penalty[i] >= GOOD_MEETUP and not mute[i]
        history.had_good_meetup[a] |= good
        history.engagement[a] += GOOD_GAIN if good else -POOR_LOSS
        for j in others:
            b = came[j]
            if again[i, j]:
                history.again_received[b] += 1
                history.again_ratings[(min(a, b), max(a, b))] += 1
            if not skip[i] and perceived[i, j] <= NOT_FOR_ME_AT:
                history.not_for_me[(min(a, b), max(a, b))] += 1
            if a < b:
                history.tie_strength[(a, b)] += max(0.0, float(experience[i, j]))
                history.good_meetings[(a, b)] += int(experience[i, j] >= GOOD_PAIR)
                history.mutual_again[(a, b)] += int(again[i, j] and again[j, i])
    history.record_ratings(came, len(members), ~skip, again, before)


def leave(history: History, r: int) -> None:
    """Some active members leave, the less engaged the likelier; friends keep people."""
    c = history.community
    p = LEAVE_MAX * sigmoid(-2.0 * history.engagement)
    p = np.where(history.strong_ties() > 0, p / 2, p)
    gone = history.active & (c.draws(r, (c.size,), LEAVE) < p)
    history.left |= gone
    history.active &= ~gone
