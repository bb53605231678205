"""A realistic, seeded generator of matching instances (the format of matching-format.md).

Real communities are not uniform noise: people cluster into latent communities with their
own tag pools (a few tags very popular, a long tail), are free on some slots only, have met
before (bonds: +1 both want to meet again, -0.5 no spark), occasionally block each other,
and some have waited several rounds (higher priority). Benchmarks against peers, the scale
bench and the community simulator all draw from here, so the same seed always gives the
same instance.

    generate(1000, slots=3, seed=1)                  # tags, slots, seats, history, blocks
    generate(100_000, vectors=32, seed=1)            # explicit 32-dim vectors
    generate(500, locations=True, seed=2)            # cities, coordinates and max_km
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SLOT_NAMES = ["tue-19", "thu-19", "sat-11", "sun-15", "wed-18", "fri-20", "sat-16", "sun-11"]
BASE_TAGS = (
    "hiking running cycling climbing yoga swimming tennis football basketball chess "
    "board-games video-games cooking baking wine coffee craft-beer reading poetry writing "
    "photography painting drawing pottery knitting gardening birdwatching camping travel "
    "languages history philosophy science astronomy startups investing volunteering music "
    "jazz classical indie-rock techno karaoke choir theatre film anime comics dance salsa "
    "meditation parenting dogs cats sustainability politics podcasts tech open-source design"
).split()
CITIES = [(52.52, 13.40), (48.14, 11.58), (53.55, 9.99), (50.94, 6.96), (50.11, 8.68)]


def tag_names(count: int) -> list[str]:
    """``count`` distinct tag names: everyday hobbies first, then numbered niches."""
    names = BASE_TAGS[:count]
    names += [
        f"{BASE_TAGS[k % len(BASE_TAGS)]}-{k // len(BASE_TAGS)}" for k in range(len(names), count)
    ]
    return names


def zipf_weights(count: int, exponent: float) -> np.ndarray:
    """Normalised popularity 1 / rank**exponent."""
    w = 1.0 / np.arange(1, count + 1) ** exponent
    return w / w.sum()


def generate(
    n: int,
    *,
    slots: int = 3,
    seed: int = 0,
    vectors: int | None = None,
    locations: bool = False,
    group_size: tuple[int, int] = (3, 6),
    communities: int | None = None,
    seats_ratio: float | None = 1.35,
    history: float = 0.5,
    meet_again: float = 0.35,
    block_rate: float = 0.005,
    priority_rate: float = 0.1,
    interests: bool = True,
) -> dict[str, Any]:
    """Build one instance of ``n`` members.

    ``slots``: number of time slots (0 = no slots); ``seats_ratio``: total seats / n, spread
    evenly over the slots (None = unlimited); ``vectors``: give every member an explicit
    vector of that dimension (None = tags only); ``history``: past pairs per member;
    ``meet_again``: share of those with bond +1 (the rest -0.5); ``block_rate``: blocks per
    member; ``priority_rate``: share of long-unmatched members (priority 1.5 to 3).
    """
    rng = np.random.default_rng(seed)
    c = communities or max(2, round(math.sqrt(n) / 3))
    community_share = zipf_weights(c, 0.8)
    primary = rng.choice(c, size=n, p=community_share)
    secondary = np.where(rng.random(n) < 0.3, rng.choice(c, size=n, p=community_share), primary)

    vocab = tag_names(min(60 + n // 20, 2000))
    global_pop = zipf_weights(len(vocab), 1.0)
    pool_size = min(25, len(vocab))
    pools = np.stack(
        [rng.choice(len(vocab), pool_size, replace=False, p=global_pop) for _ in range(c)]
    )
    pool_pop = zipf_weights(pool_size, 1.1)
    draws = 8
    ranks = rng.choice(pool_size, size=(n, draws), p=pool_pop)
    from_secondary = rng.random((n, draws)) < 0.5
    owner = np.where(from_secondary, secondary[:, None], primary[:, None])
    tags = pools[owner, ranks]
    off_pool = rng.random((n, draws)) < 0.25
    tags = np.where(off_pool, rng.choice(len(vocab), size=(n, draws), p=global_pop), tags)
    counts = rng.integers(3, draws + 1, size=n)

    slot_ids = (
        SLOT_NAMES[:slots] if slots <= len(SLOT_NAMES) else [f"slot-{k}" for k in range(slots)]
    )
    popularity = np.linspace(0.65, 0.3, num=max(slots, 1))[:slots]
    avail = rng.random((n, slots)) < popularity
    if slots:
        none = ~avail.any(axis=1)
        avail[none, rng.choice(slots, size=int(none.sum()), p=popularity / popularity.sum())] = True

    vecs = None
    if vectors:
        centres = rng.normal(size=(c, vectors))
        vecs = centres[primary] + 0.5 * centres[secondary] + 0.9 * rng.normal(size=(n, vectors))

    priority = np.where(rng.random(n) < priority_rate, 1.0 + 0.5 * rng.integers(1, 5, size=n), 1.0)

    coords = max_km = None
    if locations:
        city = rng.choice(len(CITIES), size=n, p=zipf_weights(len(CITIES), 1.0))
        coords = np.asarray(CITIES)[city] + rng.normal(scale=0.04, size=(n, 2))
        max_km = rng.choice([8, 15, 25, 50], size=n, p=[0.2, 0.3, 0.3, 0.2])

    members = []
    for i in range(n):
        m: dict[str, Any] = {"id": f"m{i}"}
        if interests or vecs is None:
            m["interests"] = list(dict.fromkeys(vocab[t] for t in tags[i, : counts[i]]))
        if slots and not avail[i].all():
            m["available"] = [slot_ids[s] for s in np.flatnonzero(avail[i])]
        if vecs is not None:
            m["vector"] = [round(float(v), 4) for v in vecs[i]]
        if priority[i] != 1.0:
            m["priority"] = float(priority[i])
        if coords is not None and max_km is not None:
            m["location"] = [round(float(coords[i, 0]), 5), round(float(coords[i, 1]), 5)]
            m["max_km"] = int(max_km[i])
        members.append(m)

    instance: dict[str, Any] = {
        "group_size": {"min": group_size[0], "max": group_size[1]},
        "members": members,
        "pairs": history_pairs(rng, primary, history, meet_again),
        "blocks": random_blocks(rng, primary, block_rate),
    }
    if slots:
        seats = None if seats_ratio is None else math.ceil(seats_ratio * n / slots)
        instance["slots"] = [
            {"id": s, "seats": seats} if seats is not None else {"id": s} for s in slot_ids
        ]
    return instance


def same_community_partners(
    rng: np.random.Generator, community: np.ndarray, count: int, local: float
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` member pairs (a, b), a share ``local`` of them inside one community."""
    n = len(community)
    a = rng.integers(n, size=count)
    b = rng.integers(n, size=count)
    order = np.argsort(community, kind="stable")
    starts = np.searchsorted(community[order], community[a], side="left")
    ends = np.searchsorted(community[order], community[a], side="right")
    inside = order[starts + (rng.random(count) * (ends - starts)).astype(int)]
    b = np.where(rng.random(count) < local, inside, b)
    return a, b


def history_pairs(
    rng: np.random.Generator, community: np.ndarray, per_member: float, meet_again: float
) -> list[dict[str, Any]]:
    """Past meetings, mostly inside a community: bond +1 (meet again) or -0.5 (no spark)."""
    a, b = same_community_partners(rng, community, int(per_member * len(community)), 0.8)
    bonds = np.where(rng.random(len(a)) < meet_again, 1.0, -0.5)
    seen: set[tuple[int, int]] = set()
    out = []
    for x, y, bond in zip(a.tolist(), b.tolist(), bonds.tolist(), strict=True):
        key = (min(x, y), max(x, y))
        if x != y and key not in seen:
            seen.add(key)
            out.append({"a": f"m{key[0]}", "b": f"m{key[1]}", "bond": bond})
    return out


def random_blocks(rng: np.random.Generator, community: np.ndarray, rate: float) -> list[list[str]]:
    """A few blocked pairs (people who should not meet), mostly inside a community."""
    a, b = same_community_partners(rng, community, int(rate * len(community)), 0.7)
    pairs = {(min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist(), strict=True) if x != y}
    return [[f"m{x}", f"m{y}"] for x, y in sorted(pairs)]
