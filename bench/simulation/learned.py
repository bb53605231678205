"""Issue 15, "Measured": learned compatibility weights switched on after round LEARN_AFTER.

The same pure code as the product (`worker.compat`): each round from LEARN_AFTER + 1 on,
a "+ learned" policy trains on the rated pairs of the rounds so far (features of the
simulated people mapped to `MemberFacts`/`PairFacts`, labels as the product labels them),
time-split validated against the policy's own unlearned weight (interest + about
similarity + the policy's bonds at the time), and merges `instance_terms` into the
instance only when the model is adopted. The same policy without learning runs on the
same people and chance events. Reported per seed and as means with 95% t intervals:
the strong-tie share after the last round for both, and the model's ROC AUC on later
rounds (each round's rated pairs scored by the model trained before that round).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score

from bench.simulation.community import Community, generate_community
from bench.simulation.formats import V2, Format
from bench.simulation.history import History, Rating
from bench.simulation.policies import Constants, Policy
from bench.simulation.report import outcome
from bench.simulation.rounds import simulate
from worker.compat import (
    Examples,
    MemberFacts,
    PairFacts,
    feature_rows,
    instance_terms,
    merge_terms,
    train,
)

LEARN_AFTER = 4  # learned weights may enter from round 5
EPOCH = date(2026, 1, 5)  # round r meets EPOCH + r weeks
GOAL_TIE_GAIN = 0.15
GOAL_AUC = 0.70
_FACTS: dict[int, tuple[Community, list[MemberFacts]]] = {}


def member_facts(community: Community) -> list[MemberFacts]:
    """Every simulated member as the product's plain `MemberFacts` (cached per community)."""
    cached = _FACTS.get(id(community))
    if cached is not None and cached[0] is community:
        return cached[1]
    world = community.world
    facts = [
        MemberFacts(
            interests=community.interests[m],
            about=world.about[m] if world else "",
            languages=world.languages[m] if world else (),
            home=(float(world.home[m, 0]), float(world.home[m, 1])) if world else None,
            weekly={community.slot_ids[s] for s in np.flatnonzero(community.declared[m])},
            joined=EPOCH + timedelta(weeks=int(community.join_round[m])),
        )
        for m in range(community.size)
    ]
    _FACTS[id(community)] = (community, facts)
    return facts


def examples(history: History, constants: Constants, policy: Policy, before: int) -> Examples:
    """The rated pairs of rounds before ``before``, as training examples; the plain weight
    of each is what the policy would have weighed it with at the time."""
    ratings = [r for r in history.ratings if r.round < before]
    facts = [
        PairFacts(
            when=EPOCH + timedelta(weeks=r.round),
            group_size=r.group_size,
            a=r.a,
            b=r.b,
            met_before=r.met_before,
            again_before=r.again_before,
            not_for_me_before=r.not_for_me_before,
        )
        for r in ratings
    ]
    x = feature_rows(member_facts(history.community), facts)
    bonds = np.array([policy_bond(r, constants, policy) for r in ratings])
    return Examples(
        meetup=np.array([r.round for r in ratings]),
        features=x,
        labels=np.array([r.label for r in ratings], dtype=int),
        bonds=bonds if len(ratings) else None,
    )


def policy_bond(r: Rating, constants: Constants, policy: Policy) -> float:
    """The policy's bond for a pair with this history (without the welcome bond)."""
    w = constants.policies[policy.hearth or "balanced"]
    return (
        w.mutual_again * r.mutual_before
        + w.each_again * r.again_before
        + w.per_meeting * r.met_before
        + w.not_for_me * r.not_for_me_before
    )


def with_learned_terms(
    instance: dict[str, Any],
    opted: list[int],
    history: History,
    constants: Constants,
    policy: Policy,
) -> dict[str, Any]:
    """The round's instance with the learned terms merged, when a model is adopted."""
    if history.round <= LEARN_AFTER:
        return instance
    trained = train(
        examples(history, constants, policy, history.round), trained_at=f"round {history.round}"
    )
    history.models[history.round] = trained
    chosen = set(opted)
    pairs = {
        (f"m{a}", f"m{b}"): {
            "met_before": met,
            "again_before": history.again_ratings[(a, b)],
            "not_for_me_before": history.not_for_me[(a, b)],
        }
        for (a, b), met in history.met.items()
        if met and a in chosen and b in chosen
    }
    always = policy.learned == "always"
    return merge_terms(instance, instance_terms(trained.model, pairs, require_adopted=not always))


def later_auc(history: History, constants: Constants, policy: Policy) -> dict[str, float]:
    """ROC AUC on rounds after LEARN_AFTER: each round's rated pairs scored by the model
    trained before that round (model probability, its engine part, the plain weight)."""
    scores: dict[str, list[float]] = {"model": [], "engine": [], "plain": []}
    labels: list[int] = []
    for r, trained in sorted(history.models.items()):
        if trained.model is None:
            continue
        part = examples(history, constants, policy, r + 1).subset(
            np.asarray([x.round == r for x in history.ratings if x.round <= r])
        )
        if not len(part.labels):
            continue
        scores["model"] += trained.model.probability(part.features).tolist()
        learned = trained.model.engine_score(part.features) + part.policy_bonds()
        scores["engine"] += learned.tolist()
        scores["plain"] += part.plain_weight().tolist()
        labels += part.labels.tolist()
    if len(set(labels)) < 2:
        return {k: math.nan for k in scores}
    return {k: float(roc_auc_score(labels, v)) for k, v in scores.items()}


@dataclass(frozen=True)
class SeedResult:
    """One seed: strong-tie share without and with learning, AUCs, rounds adopted."""

    seed: int
    tie_plain: float
    tie_learned: float
    auc: dict[str, float]
    adopted_rounds: int
    trained_rounds: int
    pair_plain: float
    pair_learned: float


def run_seed(
    members: int, rounds: int, seed: int, constants: Constants, base: Policy, fmt: Format = V2,
    mode: str = "adopted",
) -> SeedResult:  # fmt: skip
    """The base policy with and without learning on one seed's community."""
    community = generate_community(members, rounds, seed, world=True)
    plain_history, plain_series = simulate(community, base, constants, fmt)
    learned = replace(base, name=f"{base.name} + learned", learned=mode)
    history, series = simulate(community, learned, constants, fmt)
    plain_out, learned_out = outcome(plain_history, plain_series), outcome(history, series)
    return SeedResult(
        seed=seed,
        tie_plain=plain_out.figures["all"]["tie"],
        tie_learned=learned_out.figures["all"]["tie"],
        auc=later_auc(history, constants, base),
        adopted_rounds=sum(t.adopted for t in history.models.values()),
        trained_rounds=sum(t.model is not None for t in history.models.values()),
        pair_plain=plain_out.extra["pair compatibility"],
        pair_learned=learned_out.extra["pair compatibility"],
    )


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t interval over seeds."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if len(x) < 2:
        mean = float(x.mean()) if len(x) else math.nan
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return float(x.mean()), float(x.mean()) - half, float(x.mean()) + half


def report(
    members: int, rounds: int, seeds: list[int], constants: Constants, base: Policy,
    mode: str = "adopted",
) -> str:  # fmt: skip
    """The per-seed table, the means with 95% intervals, and the goals (met / MISSED)."""
    start = time.perf_counter()
    results = [run_seed(members, rounds, s, constants, base, mode=mode) for s in seeds]
    lines = [
        f"Learned compatibility (issue 15): '{base.name}' with and without learned weights "
        f"(switched on after round {LEARN_AFTER}), format v2 on the v2 world, {members} "
        f"founding members, {rounds} rounds, seeds {seeds}"
        + (
            "; DIAGNOSTIC: learned terms used whenever a model is trained, adopted or not."
            if mode == "always"
            else "; learned terms used only in rounds whose model is adopted."
        ),
        "tie = share with a strong tie after the last round; AUC = ROC AUC on rounds "
        f"{LEARN_AFTER + 1}-{rounds} (each round's rated pairs, model trained before it): "
        "model probability / its engine part / the plain weight (similarity + policy bonds); "
        "pair = mean true compatibility of pairs placed together.",
        "",
        "seed | tie plain  learned  gain   | AUC model engine plain | adopted | pair plain learned",
    ]
    for r in results:
        gain = r.tie_learned / r.tie_plain - 1 if r.tie_plain else math.nan
        lines.append(
            f"{r.seed:>4} | {r.tie_plain:9.3f} {r.tie_learned:8.3f} {gain:+6.1%} | "
            f"{r.auc['model']:9.3f} {r.auc['engine']:6.3f} {r.auc['plain']:5.3f} | "
            f"{r.adopted_rounds:>2} of {r.trained_rounds:<2} | {r.pair_plain:10.3f} "
            f"{r.pair_learned:7.3f}"
        )
    plain = interval([r.tie_plain for r in results])
    learned = interval([r.tie_learned for r in results])
    gains = interval([r.tie_learned / r.tie_plain - 1 for r in results if r.tie_plain])
    diffs = interval([r.tie_learned - r.tie_plain for r in results])
    auc = {k: interval([r.auc[k] for r in results]) for k in ("model", "engine", "plain")}
    ratio = learned[0] / plain[0] - 1 if plain[0] else math.nan
    lines += [
        "",
        f"tie without learning {_ci(plain)}, with learning {_ci(learned)}",
        f"difference {_ci(diffs)}; per-seed relative gain {_ci(gains, pct=True)}",
        f"AUC on later rounds: model {_ci(auc['model'])}, engine part {_ci(auc['engine'])}, "
        f"plain weight {_ci(auc['plain'])}",
        _goal(
            f"strong-tie share with learning {ratio:+.1%} vs without (ratio of means; goal "
            f">= +{GOAL_TIE_GAIN:.0%})",
            ratio >= GOAL_TIE_GAIN,
        ),
        _goal(
            f"model AUC on later rounds {auc['model'][0]:.3f} (goal >= {GOAL_AUC})",
            auc["model"][0] >= GOAL_AUC,
        ),  # fmt: skip
        f"took {time.perf_counter() - start:.0f} s",
    ]
    return "\n".join(lines)


def _ci(v: tuple[float, float, float], pct: bool = False) -> str:
    if pct:
        return f"{v[0]:+.1%} [95% CI {v[1]:+.1%}, {v[2]:+.1%}]"
    return f"{v[0]:.3f} [95% CI {v[1]:.3f}, {v[2]:.3f}]"


def _goal(text: str, ok: bool) -> str:
    return f"{'met   ' if ok else 'MISSED'} {text}"
