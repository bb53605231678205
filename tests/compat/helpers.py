"""Small synthetic communities of rated pairs for the compat tests."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from worker.compat import Examples, MemberFacts, PairFacts, feature_rows

TAGS = [f"tag{k}" for k in range(12)]
START = date(2026, 1, 5)


def members(n: int = 60, seed: int = 0) -> list[MemberFacts]:
    """``n`` members with 3 tags each, some with about texts, all speaking English."""
    rng = np.random.default_rng(seed)
    return [
        MemberFacts(
            interests=[str(t) for t in rng.choice(TAGS, 3, replace=False)],
            about="sourdough and long walks" if k % 2 else "",
            languages=["en"],
            home=(52.5 + 0.02 * rng.normal(), 13.4 + 0.02 * rng.normal()),
            weekly={"tue-evening", "sat-morning"} if k % 3 else {"tue-evening"},
            joined=START,
        )
        for k in range(n)
    ]


def rated_pairs(signal: str, meetups: int = 20, per_meetup: int = 30, seed: int = 1) -> Examples:
    """Rated pairs whose labels follow ``signal``: "history" (met before), "interest"
    or "noise" (coin flips); one meetup per week."""
    rng = np.random.default_rng(seed)
    people = members(seed=seed)
    pairs, keys = [], []
    for m in range(meetups):
        for _ in range(per_meetup):
            a, b = (int(x) for x in rng.choice(len(people), 2, replace=False))
            met = int(rng.integers(0, 3))
            pairs.append(PairFacts(START + timedelta(weeks=m + 1), 4, a, b, met_before=met))
            keys.append(m)
    x = feature_rows(people, pairs)
    logit = {
        "history": -1.0 + 1.5 * x[:, 7],
        "interest": -1.5 + 4.0 * x[:, 0],
        "noise": np.zeros(len(x)),
    }[signal]
    labels = (rng.random(len(x)) < 1 / (1 + np.exp(-logit))).astype(int)
    return Examples(np.asarray(keys), x, labels)
