"""A simulated community: hidden tastes, true pair compatibility and what members declare.

Every member has a latent taste vector (drawn around one of a few taste clusters) and a
loneliness score. The true compatibility of a pair is their taste similarity plus a
"chemistry" term that nothing they write reveals; only meeting shows it. Declared
interests are tags sampled from the member's tastes with some noise, and declared
availability is a noisy, partial view of when they can really come. Newcomers arrive over
the rounds. Everything, including the per-round random draws, is fixed by the seed and
shared by all policies, so they are compared on the very same people and chance events.

With ``world=True`` the members also get the attributes of matching format v2 (languages,
homes and venues, about texts, preferred sizes; `world.py`), which then carry part of the
true compatibility. The classic draws stay the same, so ``world=False`` (the default)
reproduces the figures measured before format v2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.generator import SLOT_NAMES, tag_names
from bench.simulation.world import World, generate_world, world_compatibility

TASTE_DIMS = 6
TASTE_CLUSTERS = 5
TASTE_SPREAD = 0.8  # individual deviation from the cluster centre
TASTE_WEIGHT = 0.6  # compatibility = TASTE_WEIGHT * cos(tastes) + chemistry
CHEMISTRY_SD = 0.35  # the part of compatibility only meeting reveals
VOCABULARY = 40
TAG_SHARPNESS = 3.0  # how strongly declared tags follow tastes
TAG_NOISE = 0.25  # share of declared tags that are off-taste
SLOTS = 3
SLOT_POPULARITY = (0.7, 0.55, 0.4)
DECLARED_MISS = 0.2  # a truly free slot left out of the profile
DECLARED_EXTRA = 0.1  # a slot listed although the member is rarely free then
ARRIVALS_PER_ROUND = 0.03  # newcomers per round, as a share of the initial size
HIGH_LONELINESS = 0.6  # loneliness score from which a member counts as "high loneliness"


@dataclass(frozen=True)
class Community:
    """The people of one simulated community (index = member) and their hidden truth."""

    seed: int
    rounds: int
    compatibility: np.ndarray  # (M, M) symmetric true pair compatibility, zero diagonal
    interests: list[list[str]]  # declared tags
    declared: np.ndarray  # (M, S) bool, declared availability
    truly_free: np.ndarray  # (M, S) bool, real availability
    loneliness: np.ndarray  # (M,) in [0, 1]
    join_round: np.ndarray  # (M,) 0 = founding member, r = joined before round r
    world: World | None = None  # format v2 attributes, when simulated
    # the part of `compatibility` that what members are (tastes, talk, languages) decides,
    # i.e. without the pair chemistry only meeting reveals (`ceiling.py` diagnostics)
    revealable: np.ndarray | None = None

    @property
    def size(self) -> int:
        """Everyone who will ever join (founders and newcomers)."""
        return len(self.loneliness)

    @property
    def slot_ids(self) -> list[str]:
        """The weekly meetup's slot ids."""
        return SLOT_NAMES[: self.declared.shape[1]]

    def draws(self, round_: int, shape: tuple[int, ...], stream: int) -> np.ndarray:
        """Uniform draws for one round and purpose, identical for every policy."""
        return np.random.default_rng([self.seed, round_, stream]).random(shape)

    def noise(self, round_: int, stream: int) -> np.ndarray:
        """Symmetric standard-normal pair noise for one round and purpose."""
        z = np.random.default_rng([self.seed, round_, stream]).normal(size=(self.size,) * 2)
        return np.triu(z, 1) + np.triu(z, 1).T


def generate_community(members: int, rounds: int, seed: int, world: bool = False) -> Community:
    """Founding ``members`` plus the newcomers who arrive over ``rounds`` rounds; with
    ``world``, the v2 attributes too, and the true compatibility that follows from them."""
    rng = np.random.default_rng([seed, 7_919])
    arrivals = rng.poisson(ARRIVALS_PER_ROUND * members, size=rounds - 1)
    join_round = np.concatenate(
        [np.zeros(members, dtype=int)] + [np.full(k, r + 2) for r, k in enumerate(arrivals)]
    )
    m = len(join_round)
    centres = rng.normal(size=(TASTE_CLUSTERS, TASTE_DIMS))
    tastes = centres[rng.integers(TASTE_CLUSTERS, size=m)]
    tastes = tastes + TASTE_SPREAD * rng.normal(size=(m, TASTE_DIMS))
    tastes /= np.linalg.norm(tastes, axis=1, keepdims=True)
    chemistry = rng.normal(scale=CHEMISTRY_SD, size=(m, m))
    compatibility = (
        TASTE_WEIGHT * (tastes @ tastes.T) + np.triu(chemistry, 1) + np.triu(chemistry, 1).T
    )
    np.fill_diagonal(compatibility, 0.0)
    truly_free = rng.random((m, SLOTS)) < np.asarray(SLOT_POPULARITY)
    truly_free[~truly_free.any(axis=1), 0] = True
    declared = np.where(truly_free, rng.random((m, SLOTS)) >= DECLARED_MISS, False)
    declared |= ~truly_free & (rng.random((m, SLOTS)) < DECLARED_EXTRA)
    missing = ~declared.any(axis=1)
    declared[missing] = truly_free[missing]
    v2 = generate_world(seed, tastes, SLOTS) if world else None
    revealable = TASTE_WEIGHT * (tastes @ tastes.T)
    np.fill_diagonal(revealable, 0.0)
    if v2 is not None:
        compatibility = world_compatibility(tastes, chemistry, v2)
        revealable = world_compatibility(tastes, np.zeros_like(chemistry), v2)
    return Community(
        seed=seed,
        rounds=rounds,
        compatibility=compatibility,
        interests=_declared_interests(rng, tastes),
        declared=declared,
        truly_free=truly_free,
        loneliness=rng.beta(2.0, 3.0, size=m),
        join_round=join_round,
        world=v2,
        revealable=revealable,
    )


def _declared_interests(rng: np.random.Generator, tastes: np.ndarray) -> list[list[str]]:
    """3-7 tags per member, drawn from their tastes, a share of them off-taste noise."""
    vocab = tag_names(VOCABULARY)
    tag_vectors = rng.normal(size=(VOCABULARY, TASTE_DIMS))
    tag_vectors /= np.linalg.norm(tag_vectors, axis=1, keepdims=True)
    out = []
    for taste in tastes:
        logits = TAG_SHARPNESS * (tag_vectors @ taste)
        p = np.exp(logits - logits.max())
        count = int(rng.integers(3, 8))
        picked = rng.choice(VOCABULARY, size=count, replace=False, p=p / p.sum())
        noisy = rng.random(count) < TAG_NOISE
        picked[noisy] = rng.integers(VOCABULARY, size=int(noisy.sum()))
        out.append(list(dict.fromkeys(vocab[t] for t in picked)))
    return out
