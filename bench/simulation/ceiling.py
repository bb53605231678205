"""Ceilings: what the same policy would reach if matching knew the hidden truth.

A diagnostic for issues 14 and 15, not a product feature. The policy's instance is kept
(availability, languages, travel, sizes, priorities and the policy's bonds from
feedback), but the similarity is replaced by explicit `weights` taken from the simulated
truth:
- "revealable": the part of the true compatibility that what members are decides
  (tastes, what they like to talk about, languages), without the pair chemistry only
  meeting reveals. No model of members' declared profiles, learned or not, can know more
  than this, so it bounds what learned compatibility (issue 15) can add.
- "everything": the whole true compatibility, chemistry included: no matching can know
  more, so it bounds what any grouping can do for "never had a good meetup" (issue 14).
- "revealable@0.5": the revealable truth blurred by pair noise until it correlates 0.5
  with itself (pairs sharing a language), to show how good a learned weight would have to
  be for a given gain.
The truth is rescaled to the mean and spread of the plain similarity of the same round's
pairs, so the policy's bonds weigh as much against it as they do in the product.

`declared_fit` bounds what any model of the declared profile can know: a bilinear weight
over the engine's own member features (tags, about words), fitted by ridge regression to
the revealable truth itself (labels no feedback could give) on half of the members, and
scored on the pairs of the other half, next to the plain similarity. `meetings_fit`
bounds what learning from the community's own meetings can know: member vectors fitted
by alternating least squares to the revealable truth of every pair that met and rated
each other during the policy's run (again labels no feedback could give), scored on the
pairs of those members who never met; the best rank and ridge of MEETINGS_GRID is kept.
"""

from __future__ import annotations

import copy
import time
from dataclasses import replace
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.simulation.community import Community, generate_community
from bench.simulation.formats import V2, add_v2_fields
from bench.simulation.history import History
from bench.simulation.policies import GROUP_SIZE, Constants, Policy
from bench.simulation.report import Outcome
from bench.simulation.rounds import simulate
from bench.simulation.runner import compare
from bench.simulation.world import NO_LANGUAGE_COMPAT
from worker.matching.features import dense_pair_weights
from worker.matching.instance import parse_instance

KNOWS = ("revealable@0.35", "revealable@0.5", "revealable@0.7", "revealable", "everything")
BLUR_STREAM = 7_921
RIDGE = 1.0
MEETINGS_GRID = ((4, 0.1), (4, 1.0), (10, 0.1), (10, 1.0))  # (rank, ridge); the truth has
# 6 taste and 4 talk dimensions; the best on the scored pairs is kept (an upper bound)
MEETINGS_SWEEPS = 30
LATE_ROUNDS = 3  # newcomers of the last rounds have had at most this many chances


def truth(community: Community, knows: str) -> np.ndarray:
    """The (M, M) true compatibility a ceiling policy is told."""
    name, _, blur = knows.partition("@")
    told = {"everything": community.compatibility, "revealable": community.revealable}.get(name)
    if told is None:
        raise ValueError(f"unknown ceiling {knows!r}; known: {', '.join(KNOWS)}")
    if not blur:
        return told
    rho = float(blur)
    if not 0 < rho < 1:
        raise ValueError(f"ceiling {knows!r}: the correlation must lie in (0, 1)")
    return blurred(told, rho, community.seed)


def blurred(told: np.ndarray, rho: float, seed: int) -> np.ndarray:
    """``told`` plus symmetric pair noise so that, over pairs who share a language, it
    correlates ``rho`` with ``told`` (pairs who share none keep their value: languages are
    declared)."""
    talk = told != NO_LANGUAGE_COMPAT
    np.fill_diagonal(talk, False)
    spread = told[talk].std()
    z = np.random.default_rng([seed, BLUR_STREAM]).normal(size=told.shape)
    z = np.triu(z, 1) + np.triu(z, 1).T
    noise = spread * np.sqrt(1 / rho**2 - 1) * z
    return np.where(talk, told + noise, told)


def declared_fit(community: Community, ridge: float = RIDGE) -> tuple[float, float]:
    """Correlation with the revealable truth, over held-out pairs sharing a language: of
    the plain similarity (the engine's), and of the best bilinear weight over the declared
    words (TF-IDF of tags and of about texts, every word kept)."""
    everyone = list(range(community.size))
    instance = add_v2_fields(
        {
            "group_size": GROUP_SIZE,
            "slots": [{"id": s} for s in community.slot_ids],
            "members": [{"id": f"m{m}", "interests": community.interests[m]} for m in everyone],
        },
        community,
        everyone,
        V2,
    )
    similarity = dense_pair_weights(parse_instance(instance))
    tags = [" ".join(t.replace(" ", "_") for t in community.interests[m]) for m in everyone]
    about = community.world.about if community.world else [""] * community.size
    rows = np.hstack(
        [
            TfidfVectorizer(token_pattern=r"\S+").fit_transform(tags).toarray(),
            TfidfVectorizer(sublinear_tf=True).fit_transform(about).toarray(),
        ]
    )
    revealable = truth(community, "revealable")
    order = np.random.default_rng([community.seed, BLUR_STREAM]).permutation(community.size)
    fit, held = order[: community.size // 2], order[community.size // 2 :]
    target = revealable[np.ix_(fit, fit)].copy()
    target[target == NO_LANGUAGE_COMPAT] = 0.0
    x = rows[fit]
    inverse = np.linalg.inv(x.T @ x + ridge * np.eye(x.shape[1]))
    bilinear = inverse @ x.T @ target @ x @ inverse
    upper = np.triu_indices(len(held), 1)
    held_truth = revealable[np.ix_(held, held)][upper]
    talk = held_truth != NO_LANGUAGE_COMPAT
    plain = similarity[np.ix_(held, held)][upper]
    learned = (rows[held] @ bilinear @ rows[held].T)[upper]
    return (
        float(np.corrcoef(plain[talk], held_truth[talk])[0, 1]),
        float(np.corrcoef(learned[talk], held_truth[talk])[0, 1]),
    )


def with_true_weights(
    instance: dict[str, Any], opted: list[int], community: Community, knows: str
) -> dict[str, Any]:
    """``instance`` with explicit weights from the truth, at the plain similarity's scale."""
    n = len(opted)
    if n < 2:
        return instance
    plain_instance = copy.deepcopy(instance)
    plain_instance["pairs"] = []
    plain = dense_pair_weights(parse_instance(plain_instance))
    upper = np.triu_indices(n, 1)
    idx = np.asarray(opted)
    told = truth(community, knows)[np.ix_(idx, idx)]
    spread = told[upper].std()
    scale = plain[upper].std() / spread if spread > 0 else 0.0
    weights = plain[upper].mean() + (told - told[upper].mean()) * scale
    out = dict(instance)
    out["weights"] = [
        [int(i), int(j), round(float(weights[i, j]), 6)] for i, j in zip(*upper, strict=True)
    ]
    return out


def meetings_fit(history: History) -> tuple[float, float]:
    """Correlation with the revealable truth, over pairs sharing a language of members who
    rated someone but never met each other, of member vectors fitted to the truth of the
    pairs who met (the best of MEETINGS_GRID); and the mean partners each member rated."""
    revealable = truth(history.community, "revealable")
    met = {(r.a, r.b) for r in history.ratings} | {(r.b, r.a) for r in history.ratings}
    members = sorted({a for a, _ in met})
    if len(members) < 3:
        return float("nan"), 0.0
    index = {m: i for i, m in enumerate(members)}
    partners: list[list[int]] = [[] for _ in members]
    for a, b in met:
        if revealable[a, b] != NO_LANGUAGE_COMPAT:  # languages are declared: not learned
            partners[index[a]].append(index[b])
    told = revealable[np.ix_(members, members)]
    seen = np.zeros(told.shape, dtype=bool)
    for i, others in enumerate(partners):
        seen[i, others] = True
    unseen = ~seen & (told != NO_LANGUAGE_COMPAT)
    unseen[np.tril_indices(len(members))] = False
    best = max(
        float(np.corrcoef(fitted[unseen], told[unseen])[0, 1])
        for fitted in (
            _factorise(told, partners, rank, ridge, history.community.seed)
            for rank, ridge in MEETINGS_GRID
        )
    )
    return best, float(np.mean([len(p) for p in partners]))


def _factorise(
    told: np.ndarray, partners: list[list[int]], rank: int, ridge: float, seed: int
) -> np.ndarray:
    """u_i . u_j fitted to ``told`` over each member's partners (alternating least squares)."""
    vectors = 0.1 * np.random.default_rng([seed, BLUR_STREAM]).normal(size=(len(told), rank))
    for _ in range(MEETINGS_SWEEPS):
        for i, others in enumerate(partners):
            x = vectors[others]
            vectors[i] = np.linalg.solve(x.T @ x + ridge * np.eye(rank), x.T @ told[i, others])
    return vectors @ vectors.T


def out_of_reach(community: Community) -> tuple[float, float, float]:
    """Shares of everyone who joined who can never be placed in the v2 world (none of
    their declared slots has its venue within their travel distance), who joined in the
    last LATE_ROUNDS rounds, and who is either."""
    never = np.zeros(community.size, dtype=bool)
    if community.world is not None:
        never = ~(community.world.reach & community.declared).any(axis=1)
    late = community.join_round > community.rounds - LATE_ROUNDS
    return float(never.mean()), float(late.mean()), float((never | late).mean())


def ceilings(
    members: int, rounds: int, seeds: list[int], constants: Constants, base: Policy
) -> tuple[dict[str, Outcome], float]:
    """The base policy as the product runs it (format v2) and with each ceiling, on the
    same v2-world people and chance events; mean outcomes per variant and the seconds."""
    variants = [base] + [replace(base, name=f"{base.name}, knows {k}", knows=k) for k in KNOWS]
    run = compare(members, rounds, seeds, constants, variants, formats=(V2,), world=True)
    return run.results, run.seconds


def ceiling_report(
    members: int, rounds: int, seeds: list[int], constants: Constants, base: Policy
) -> str:
    """The ceilings' table: tie, never good, left, alone, pair compatibility, tie gain."""
    start = time.perf_counter()
    results, _ = ceilings(members, rounds, seeds, constants, base)
    plain_tie = results[base.name].figures["all"]["tie"]
    lines = [
        f"Ceilings (diagnostic): '{base.name}' on format v2 as the product runs it, and the "
        f"same policy told the hidden truth instead of the declared similarity; {members} "
        f"founding members, {rounds} rounds, seeds {seeds}; mean over seeds.",
        "revealable = tastes, talk and languages (no chemistry): the most any model of "
        "members' profiles can know; @r = blurred to correlation r with it; everything = "
        "the whole true compatibility.",
        "",
        f"{'variant':<36}|   tie  never   left  alone   pair | tie vs product",
        "-" * 82,
    ]
    for name, o in results.items():
        tie = o.figures["all"]["tie"]
        gain = f"{tie / plain_tie - 1:+.1%}" if plain_tie else "n/a (no ties without it)"
        lines.append(
            f"{name:<36}| {tie:5.3f}  {o.figures['all']['never good']:5.3f}  "
            f"{o.extra['left']:5.3f}  {o.extra['alone']:5.3f}  "
            f"{o.extra['pair compatibility']:5.3f} | {gain}"
        )
    rows, reach = [], []
    for seed in seeds:
        community = generate_community(members, rounds, seed, world=True)
        history, _ = simulate(community, base, constants, V2)
        rows.append((*declared_fit(community), *meetings_fit(history)))
        reach.append(out_of_reach(community))
    mean = np.nanmean(rows, axis=0)
    never, late, either = np.mean(reach, axis=0)
    lines += [
        "",
        f"Out of any policy's reach (mean over seeds, of everyone who joined): {never:.1%} "
        f"can never be placed (no declared time at a venue within their travel distance), "
        f"{late:.1%} joined in the last {LATE_ROUNDS} rounds; {either:.1%} either.",
    ]
    lines += [
        "",
        "What matching could learn (correlation with the revealable truth over pairs sharing "
        "a language; fitted to the truth itself, so these are upper bounds):",
        "seed | plain similarity | bilinear over declared words | vectors from meetings "
        "(partners each)",
        *(
            f"{s:>4} | {p:16.3f} | {b:28.3f} | {v:21.3f} ({n:.1f})"
            for s, (p, b, v, n) in zip(seeds, rows, strict=True)
        ),
        f"mean | {mean[0]:16.3f} | {mean[1]:28.3f} | {mean[2]:21.3f} ({mean[3]:.1f})",
        f"took {time.perf_counter() - start:.0f} s",
    ]
    return "\n".join(lines)
