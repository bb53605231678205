"""The policies compared, and how each one turns a round's history into groups.

Hearth's policies use the product's own numbers, imported from
`webapp.services.matching` (POLICIES, WELCOME_BOND, NEWCOMER_PRIORITY, REGULAR_MIN_*,
UNPLACED_PRIORITY_STEP), and the same translation as its `policy_bonds` and
`build_instance`: bonds = mutual_again x mutual "meet again" + each_again x "meet again"
ratings (either direction) + per_meeting x times placed together + not_for_me x "not for
me" ratings; with "welcome newcomers" a first-timer (never
placed) gets WELCOME_BOND with every regular (placed >= REGULAR_MIN_MEETUPS times and
>= REGULAR_MIN_AGAIN "meet again" received) and NEWCOMER_PRIORITY; every opted-in member
gets UNPLACED_PRIORITY_STEP per earlier unplaced round; "first good meetup first" (the
product's suggested range and `not_yet_connected`): Hearth's meetups use the meetup form's
suggested largest group SMALL_GROUP_MAX when the minimum lies below it (v1 and v2 alike:
organizers keep the default), and in v2 a member who has neither given nor received a
"meet again" (the history's `again_ratings`) gets `preferred_size` = the group minimum,
other preferences above the maximum become the maximum. The instance goes to the real
engine, `worker.matching.solve`, with time_limit=None (deterministic).

The baselines: random groups within declared slots (`bench.baselines.random_grouping`, a
coffee bot), avoid-repeats (the engine with no similarity and a prohibitive penalty per
earlier meeting, like pairing bots that never pair twice) and interest similarity only
(the engine on declared interests, no history).

Every policy can be given the instance in format v1 (the default, as the web app built it
before issue 14) or v2 (`formats.py`: languages, about text, places, preferred size).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.baselines import random_grouping
from bench.simulation.formats import V1, Format, add_v2_fields
from webapp.models.meetups import MatchingPolicy
from webapp.services import matching as product
from worker.matching import solve

if TYPE_CHECKING:
    from bench.simulation.history import History

GROUP_SIZE = {"min": 3, "max": 6}  # the product's default meetup group size
AVOID_REPEAT_BOND = -10.0  # per earlier meeting: never repeat unless nothing else fits


@dataclass(frozen=True)
class Constants:
    """The product's tunable numbers (defaults: exactly those in webapp.services.matching)."""

    policies: dict[str, product.PolicyBonds] = field(
        default_factory=lambda: {p.value: b for p, b in product.POLICIES.items()}
    )
    welcome_bond: float = product.WELCOME_BOND
    newcomer_priority: float = product.NEWCOMER_PRIORITY
    regular_min_meetups: int = product.REGULAR_MIN_MEETUPS
    regular_min_again: int = product.REGULAR_MIN_AGAIN
    unplaced_priority_step: float = product.UNPLACED_PRIORITY_STEP
    small_group_max: int = product.SMALL_GROUP_MAX


def with_overrides(constants: Constants, overrides: list[str]) -> Constants:
    """Apply ``name=value`` overrides, e.g. ``balanced.per_meeting=-0.1`` or ``welcome_bond=2``."""
    policies = dict(constants.policies)
    scalars: dict[str, Any] = {}
    for item in overrides:
        name, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"override {item!r}: expected name=value")
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"override {item!r}: {raw!r} is not a number") from None
        policy, dot, attr = name.partition(".")
        if dot:
            if policy not in policies or attr not in product.PolicyBonds.__dataclass_fields__:
                raise ValueError(f"override {item!r}: unknown policy constant {name!r}")
            policies[policy] = replace(policies[policy], **{attr: value})
        elif name in Constants.__dataclass_fields__ and name != "policies":
            integer = name.startswith("regular_") or name == "small_group_max"
            scalars[name] = int(value) if integer else value
        else:
            raise ValueError(f"override {item!r}: unknown constant {name!r}")
    return replace(constants, policies=policies, **scalars)


@dataclass(frozen=True)
class Policy:
    """One way of grouping: a baseline or a Hearth policy (with or without welcome)."""

    name: str
    kind: str  # "random", "avoid_repeats", "similarity" or "hearth"
    hearth: str | None = None  # MatchingPolicy value
    welcome: bool = False
    # issue 15 (learned.py): "" = no learning; "adopted" = learned terms when the model is
    # adopted; "always" = whenever a model is trained (a diagnostic, skips the adoption rule)
    learned: str = ""
    # ceiling.py diagnostics: "" = the declared similarity; "revealable" / "everything" =
    # explicit weights from the simulated truth
    knows: str = ""


DEFAULT_POLICY = "balanced"
POLICIES = [
    Policy("random", "random"),
    Policy("avoid repeats", "avoid_repeats"),
    Policy("similarity only", "similarity"),
    *(
        Policy(p.value.replace("_", " ") + (" + welcome" if w else ""), "hearth", p.value, w)
        for p in (MatchingPolicy.NEW_FACES, MatchingPolicy.DEEPEN, MatchingPolicy.BALANCED)
        for w in (False, True)
    ),
]


def group(
    policy: Policy,
    opted: list[int],
    history: History,
    constants: Constants,
    seed: int,
    fmt: Format = V1,
) -> list[tuple[list[int], str]]:
    """Groups (member indices, slot id) for the opted-in members under ``policy``."""
    if len(opted) < GROUP_SIZE["min"]:
        return []
    instance = build_instance(policy, opted, history, constants, fmt)
    if policy.kind == "random":
        result = random_grouping(instance, seed=seed)
    else:
        result = solve(instance, seed=seed, time_limit=None)
    return [([int(m[1:]) for m in g["members"]], g["slot"]) for g in result["groups"]]


def build_instance(
    policy: Policy, opted: list[int], history: History, constants: Constants, fmt: Format = V1
) -> dict[str, Any]:
    """The engine instance for this round, in the format the web app sends (``fmt``)."""
    community = history.community
    bonds: dict[tuple[int, int], float] = {}
    priority = {m: 1.0 for m in opted}
    newcomers: set[int] = set()
    if policy.kind == "avoid_repeats":
        bonds = {p: AVOID_REPEAT_BOND * n for p, n in history.met.items()}
    elif policy.kind == "hearth":
        bonds, newcomers = hearth_bonds(policy, opted, history, constants)
        for m in opted:
            priority[m] += constants.unplaced_priority_step * history.unplaced[m]
            priority[m] += constants.newcomer_priority if m in newcomers else 0.0
    members = []
    for m in opted:
        entry: dict[str, Any] = {
            "id": f"m{m}",
            "available": [community.slot_ids[s] for s in np.flatnonzero(community.declared[m])],
        }
        if policy.kind != "avoid_repeats":
            entry["interests"] = community.interests[m]
        if priority[m] != 1.0:
            entry["priority"] = priority[m]
        members.append(entry)
    chosen = set(opted)
    sizes = dict(GROUP_SIZE)
    if policy.kind == "hearth" and sizes["min"] < constants.small_group_max:
        sizes["max"] = min(sizes["max"], constants.small_group_max)
    instance: dict[str, Any] = {
        "group_size": sizes,
        "slots": [{"id": s} for s in community.slot_ids],
        "members": members,
        "pairs": [
            {"a": f"m{a}", "b": f"m{b}", "bond": round(bond, 6)}
            for (a, b), bond in sorted(bonds.items())
            if bond and a in chosen and b in chosen
        ],
    }
    if policy.kind == "avoid_repeats":
        instance["weights"] = []
    instance = add_v2_fields(instance, community, opted, fmt)
    if policy.kind == "hearth" and fmt.version >= 2 and community.world is not None:
        waiting = not_yet_connected(history, opted)
        for entry, m in zip(instance["members"], opted, strict=True):
            entry["preferred_size"] = (
                sizes["min"] if m in waiting else min(entry["preferred_size"], sizes["max"])
            )
    if policy.learned:
        from bench.simulation.learned import with_learned_terms  # noqa: PLC0415 (a cycle)

        instance = with_learned_terms(instance, opted, history, constants, policy)
    if policy.knows:
        from bench.simulation.ceiling import with_true_weights  # noqa: PLC0415 (a cycle)

        instance = with_true_weights(instance, opted, community, policy.knows)
    return instance


def not_yet_connected(history: History, opted: list[int]) -> set[int]:
    """The product's `not_yet_connected`: members who have neither given nor received a
    "meet again" (first-timers included)."""
    connected = {m for pair, n in history.again_ratings.items() if n for m in pair}
    return set(opted) - connected


def hearth_bonds(
    policy: Policy, opted: list[int], history: History, constants: Constants
) -> tuple[dict[tuple[int, int], float], set[int]]:
    """The product's `policy_bonds`, on the simulated history."""
    weights = constants.policies[policy.hearth or DEFAULT_POLICY]
    bonds: dict[tuple[int, int], float] = {}
    for table, factor in (
        (history.mutual_again, weights.mutual_again),
        (history.again_ratings, weights.each_again),
        (history.met, weights.per_meeting),
        (history.not_for_me, weights.not_for_me),
    ):
        for p, n in table.items():
            bonds[p] = bonds.get(p, 0.0) + factor * n
    newcomers: set[int] = set()
    if policy.welcome:
        newcomers = {m for m in opted if not history.placed[m]}
        regulars = [
            m
            for m in opted
            if history.placed[m] >= constants.regular_min_meetups
            and history.again_received[m] >= constants.regular_min_again
        ]
        for n in newcomers:
            for r in regulars:
                p = (min(n, r), max(n, r))
                bonds[p] = bonds.get(p, 0.0) + constants.welcome_bond
    return bonds, newcomers
