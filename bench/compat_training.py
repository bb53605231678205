"""Issue 15 bench: training time of the learned compatibility model at 10,000 members, and
matching time of a 10,000-member instance with the model's terms vs without.

``python -m bench.compat_training [--n 10000] [--meetups 100] [--runs 3] [--seed 0]``

The community is `bench.scale.rules_instance` (tags, languages, homes around Berlin, about
texts, weekly slots) with joining dates spread over two years. Each weekly meetup,
ATTEND_SHARE of the members come and are grouped in fours; each attendee fills in the
feedback form with ANSWER_SHARE (a pair is rated when at least one of the two answered).
Labels follow a hidden logistic rule (about texts weigh twelve times as much as tags, earlier
"meet again" ratings help, meeting again without one hurts), so the model has something
the plain weight misses. Training (features of every
rated pair + `worker.compat.train`, time split included) runs on one core (BLAS pools
limited to one thread); goal <= GOAL_TRAIN_SECONDS.

Matching: the instance with the "balanced" policy's bonds for every pair with history (as
the web app's `policy_bonds` builds them), solved with the web app's time limit (5 s) as
it is and with `instance_terms` merged (interest/about weights; the learned bond of each
pair with history added to its entry), alternating, RUNS times each: wall seconds (parse
+ solve) and parse seconds alone, medians; objective checked against `bench/validate.py`.
The plain weight in training is the same: similarity + the policy's bonds at the time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from bench import common, validate
from bench.scale import RULES_TIME_LIMIT, rules_instance
from webapp.models.meetups import MatchingPolicy
from webapp.services import matching as product
from worker.compat import (
    Examples,
    MemberFacts,
    PairFacts,
    feature_rows,
    instance_terms,
    merge_terms,
    train,
)

ATTEND_SHARE = 0.2  # members at each weekly meetup
ANSWER_SHARE = 0.7  # attendees who fill in the feedback form
GROUP = 4
GOAL_TRAIN_SECONDS = 60.0
FIRST_MEETUP = date(2025, 1, 6)


def community(n: int, seed: int) -> tuple[dict[str, Any], list[MemberFacts]]:
    """The 10,000-member v2 instance and its members as `MemberFacts`."""
    instance = rules_instance(n, seed)
    rng = np.random.default_rng(seed + 7)
    facts = [
        MemberFacts(
            interests=m.get("interests", []),
            about=m.get("about", ""),
            languages=m.get("languages", []),
            home=tuple(m["location"]) if m.get("location") else None,
            weekly=set(m.get("available", [])),
            joined=FIRST_MEETUP - timedelta(days=int(rng.integers(0, 730))),
        )
        for m in instance["members"]
    ]
    return instance, facts


def past_meetups(
    facts: list[MemberFacts], meetups: int, seed: int
) -> tuple[list[PairFacts], np.ndarray, Counter, Counter]:
    """Rated pairs of ``meetups`` weekly meetups. Who met whom is drawn first; labels are
    then drawn meetup by meetup, so earlier "meet again" ratings feed later history."""
    rng = np.random.default_rng(seed + 11)
    n = len(facts)
    met: Counter = Counter()
    pairs: list[PairFacts] = []
    for k in range(meetups):
        when = FIRST_MEETUP + timedelta(weeks=k)
        came = rng.permutation(n)[: int(ATTEND_SHARE * n) // GROUP * GROUP].reshape(-1, GROUP)
        answered = rng.random(n) < ANSWER_SHARE
        for group in came.tolist():
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    p = (min(a, b), max(a, b))
                    if answered[a] or answered[b]:
                        pairs.append(PairFacts(when, GROUP, p[0], p[1], met[p]))
                    met[p] += 1
    x = feature_rows(facts, pairs)  # again_before still 0 here
    again: Counter = Counter()
    labels = np.zeros(len(pairs), dtype=int)
    noise = rng.random(len(pairs))
    for k, p in enumerate(pairs):  # in meetup order
        before = again[(p.a, p.b)]
        logit = -1.0 + 0.5 * x[k, 0] + 6.0 * x[k, 1] + 1.5 * before - 0.5 * p.met_before
        labels[k] = noise[k] < 1 / (1 + np.exp(-logit))
        pairs[k] = replace(p, again_before=before)
        again[(p.a, p.b)] += int(labels[k])
    return pairs, labels, met, again


def timed_training(facts: list[MemberFacts], pairs: list[PairFacts], labels: np.ndarray) -> tuple:
    """Features and training on one core; returns the outcome and the seconds of each."""
    with common.single_core():
        start = time.perf_counter()
        x = feature_rows(facts, pairs)
        built = time.perf_counter()
        meetup = np.asarray([(p.when - FIRST_MEETUP).days for p in pairs])
        bonds = np.asarray([policy_bond(p.met_before, p.again_before) for p in pairs])
        outcome = train(Examples(meetup, x, labels, bonds=bonds), trained_at="bench")
        done = time.perf_counter()
    return outcome, built - start, done - built


def matching_times(
    plain: dict[str, Any], learned: dict[str, Any], runs: int, seed: int
) -> dict[str, list]:
    """Wall and parse seconds and objectives, alternating plain and learned runs."""
    from worker.matching import parse_instance, solve

    out: dict[str, list] = {f"{k} {w}": [] for k in ("plain", "learned") for w in ("wall", "parse")}
    out["objective agrees"] = []
    for _ in range(runs):
        for name, instance in (("plain", plain), ("learned", learned)):
            start = time.perf_counter()
            parse_instance(instance)
            out[f"{name} parse"].append(time.perf_counter() - start)
            start = time.perf_counter()
            result = solve(instance, seed=seed, time_limit=RULES_TIME_LIMIT)
            out[f"{name} wall"].append(time.perf_counter() - start)
            mine = validate.objective(instance, common.group_lists(result))
            out["objective agrees"].append(abs(mine - result["objective"]) <= 1e-6 * abs(mine))
    return out


def policy_bond(met: int, again: int) -> float:
    """The balanced policy's bond for a pair's history (no mutual or "not for me" here)."""
    weights = product.POLICIES[MatchingPolicy.BALANCED]
    return weights.per_meeting * met + weights.each_again * again


def with_policy_bonds(
    instance: dict[str, Any], ids: list[str], met: Counter, again: Counter
) -> dict[str, Any]:
    """The instance with the policy's bond for every pair with history."""
    bonds = [
        {"a": ids[a], "b": ids[b], "bond": round(policy_bond(n, again[(a, b)]), 6)}
        for (a, b), n in met.items()
    ]
    return instance | {"pairs": list(instance.get("pairs") or []) + bonds}


def main(argv: list[str] | None = None) -> int:
    """Run the training and matching measurements and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.compat_training", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--meetups", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    instance, facts = community(args.n, args.seed)
    pairs, labels, met, again = past_meetups(facts, args.meetups, args.seed)
    print(
        f"community: {args.n} members, {args.meetups} weekly meetups, {ATTEND_SHARE:.0%} attend "
        f"in groups of {GROUP}, {ANSWER_SHARE:.0%} answer: {len(pairs):,} rated pairs "
        f"({labels.mean():.1%} 'meet again'), {len(met):,} pairs with history "
        f"(synthesised in {time.perf_counter() - start:.0f} s)"
    )
    outcome, feature_s, train_s = timed_training(facts, pairs, labels)
    total = feature_s + train_s
    v = outcome.validation
    print(
        f"training on one core: features {feature_s:.1f} s + fit and time-split validation "
        f"{train_s:.1f} s = {total:.1f} s ({common.verdict(total <= GOAL_TRAIN_SECONDS)} "
        f"goal <= {GOAL_TRAIN_SECONDS:g} s); adopted: {outcome.adopted} ({outcome.reason}); "
        f"held-out AUC model {v.get('auc_model')}, engine part {v.get('auc_engine')}, "
        f"plain {v.get('auc_plain')}; Brier {v.get('brier_model')} vs base {v.get('brier_base')}"
    )
    ids = [m["id"] for m in instance["members"]]
    instance = with_policy_bonds(instance, ids, met, again)
    history = {
        (ids[a], ids[b]): {"met_before": n, "again_before": again[(a, b)]}
        for (a, b), n in met.items()
    }
    terms = instance_terms(outcome.model, history, require_adopted=False)
    learned = merge_terms(instance, terms)
    print(
        f"terms: interest_weight {terms['interest_weight']}, about_weight "
        f"{terms['about_weight']}, {len(terms['pairs']):,} learned bonds "
        f"(the instance already has {len(instance.get('pairs') or []):,} bonds)"
    )
    times = matching_times(instance, learned, args.runs, args.seed)
    rows = [
        [name, common.median(times[f"{name} parse"]), common.median(times[f"{name} wall"])]
        + [" / ".join(f"{s:.2f}" for s in times[f"{name} wall"])]
        for name in ("plain", "learned")
    ]
    print(common.table(["instance", "parse s (median)", "wall s (median)", "wall s runs"], rows))
    agree = all(times["objective agrees"])
    print(f"objective agrees with bench/validate.py on every run: {common.verdict(agree)}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
