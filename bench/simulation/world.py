"""The richer world of matching format v2: languages, places and venues, about texts.

Drawn from its own random stream (seed, WORLD_STREAM), so the classic community's draws
are untouched and the same seed gives the same people for every policy and format.

- Languages: everyone speaks COMMUNITY_LANGUAGE except a MINORITY_ONLY share who speak
  only a minority language; of the others SECOND_LANGUAGE_SHARE also speak a second one.
  Two people with no language in common cannot talk: their true compatibility is
  NO_LANGUAGE_COMPAT, and a member who shares no language with anyone who came to their
  meetup has a bad meetup.
- Place: members live around the districts of one city (HOME_SPREAD_KM around a district
  centre) and travel at most ``max_km`` (log-normal, median MAX_KM_MEDIAN); each slot has
  its own venue (VENUES). A member placed at a venue beyond their travel distance shows
  up FAR_SHOW_FACTOR as often and, if they come, finds the meetup FAR_PENALTY worse.
- Talk: a hidden "talk" vector (what someone likes to talk about, stage of life, values),
  clustered like tastes and revealed by no tag, adds TALK_WEIGHT x cos(talk) to the true
  compatibility (and tastes count TASTE_WEIGHT instead of the classic weight); the about
  text (`about.py`) is drawn from both vectors.
- Preferred size: each member prefers a group size; each attendee more or fewer than that
  costs SIZE_MISFIT of the meetup's experience.
Members declare all of this truthfully (languages, location, max_km, preferred size); the
about text is noisy by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.simulation.about import about_texts

WORLD_STREAM = 7_920
COMMUNITY_LANGUAGE = "en"
SECOND_LANGUAGE_SHARE = 0.3
SECOND_LANGUAGES = {"es": 0.4, "ar": 0.3, "pl": 0.3}
MINORITY_ONLY = 0.12  # share who speak only a minority language
MINORITY_LANGUAGES = {"es": 0.6, "ar": 0.4}
NO_LANGUAGE_COMPAT = -0.5  # true compatibility of a pair with no common language
CITY = (52.37, 4.90)  # latitude, longitude of the city centre
DISTRICTS = ((0.0, 0.0), (4.0, 3.0), (-4.0, 3.0), (5.0, -3.0), (-3.0, -4.0))  # km (east, north)
DISTRICT_SHARE = (0.3, 0.2, 0.2, 0.15, 0.15)
HOME_SPREAD_KM = 1.5
VENUES = ((0.5, 0.0), (3.0, 2.0), (-2.0, -3.0))  # one venue per slot, km (east, north)
MAX_KM_MEDIAN, MAX_KM_SIGMA, MAX_KM_RANGE = 9.0, 0.35, (2.0, 20.0)
FAR_SHOW_FACTOR = 0.4
FAR_PENALTY = 0.3
TALK_DIMS, TALK_CLUSTERS, TALK_SPREAD = 4, 4, 0.8
TASTE_WEIGHT = 0.45
TALK_WEIGHT = 0.35
PREFERRED_SIZES, PREFERRED_SHARE = (3, 4, 5, 6), (0.2, 0.35, 0.3, 0.15)
SIZE_MISFIT = 0.05
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class World:
    """Per-member languages, homes, travel limits, texts and size preferences; venues."""

    languages: list[list[str]]
    language_mask: np.ndarray  # (M,) int bit set of spoken languages
    home: np.ndarray  # (M, 2) latitude, longitude
    max_km: np.ndarray  # (M,)
    venues: np.ndarray  # (S, 2) latitude, longitude of each slot's venue
    reach: np.ndarray  # (M, S) bool: the slot's venue is within max_km
    about: list[str]
    preferred_size: np.ndarray  # (M,) int
    talk: np.ndarray  # (M, TALK_DIMS) unit vectors

    def no_common_language(self, members: list[int]) -> bool:
        """True if the members have no language all of them speak (the v2 hard rule)."""
        common = np.bitwise_and.reduce(self.language_mask[members])
        return int(common) == 0

    def isolated(self, members: list[int]) -> np.ndarray:
        """Per member: shares no language with any other of ``members``."""
        masks = self.language_mask[members]
        shared = (masks[:, None] & masks[None, :]) != 0
        np.fill_diagonal(shared, False)
        return ~shared.any(axis=1)

    def meetup_penalty(self, came: list[int], slot: int) -> np.ndarray:
        """Per attendee: what travelling too far and a group size they dislike cost."""
        far = ~self.reach[came, slot]
        misfit = np.abs(len(came) - self.preferred_size[came])
        return FAR_PENALTY * far + SIZE_MISFIT * misfit


def km_to_point(east: np.ndarray, north: np.ndarray) -> np.ndarray:
    """Offsets in km from the city centre as (latitude, longitude) degrees."""
    lat = CITY[0] + north / 111.2
    lon = CITY[1] + east / (111.2 * np.cos(np.radians(CITY[0])))
    return np.column_stack([lat, lon])


def distance_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distances between rows of ``a`` (N, 2) and ``b`` (K, 2), shape (N, K)."""
    lat1, lon1 = np.radians(a[:, :1]), np.radians(a[:, 1:])
    lat2, lon2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _languages(rng: np.random.Generator, m: int) -> list[list[str]]:
    minority, minority_p = list(MINORITY_LANGUAGES), list(MINORITY_LANGUAGES.values())
    second, second_p = list(SECOND_LANGUAGES), list(SECOND_LANGUAGES.values())
    out = []
    for _ in range(m):
        if rng.random() < MINORITY_ONLY:
            out.append([str(rng.choice(minority, p=minority_p))])
        elif rng.random() < SECOND_LANGUAGE_SHARE:
            out.append([COMMUNITY_LANGUAGE, str(rng.choice(second, p=second_p))])
        else:
            out.append([COMMUNITY_LANGUAGE])
    return out


def _unit_clustered(rng: np.random.Generator, m: int) -> np.ndarray:
    centres = rng.normal(size=(TALK_CLUSTERS, TALK_DIMS))
    vectors = centres[rng.integers(TALK_CLUSTERS, size=m)]
    vectors = vectors + TALK_SPREAD * rng.normal(size=(m, TALK_DIMS))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def generate_world(seed: int, tastes: np.ndarray, slots: int) -> World:
    """The v2 attributes of every member (``tastes``: their unit taste vectors)."""
    rng = np.random.default_rng([seed, WORLD_STREAM])
    m = len(tastes)
    languages = _languages(rng, m)
    codes = sorted({code for spoken in languages for code in spoken})
    mask = np.array([sum(1 << codes.index(c) for c in spoken) for spoken in languages])
    district = np.asarray(DISTRICTS)[rng.choice(len(DISTRICTS), size=m, p=DISTRICT_SHARE)]
    offsets = district + HOME_SPREAD_KM * rng.normal(size=(m, 2))
    home = km_to_point(offsets[:, 0], offsets[:, 1])
    max_km = np.clip(MAX_KM_MEDIAN * np.exp(MAX_KM_SIGMA * rng.normal(size=m)), *MAX_KM_RANGE)
    venue_km = np.asarray([VENUES[s % len(VENUES)] for s in range(slots)])
    venues = km_to_point(venue_km[:, 0], venue_km[:, 1])
    talk = _unit_clustered(rng, m)
    preferred = rng.choice(PREFERRED_SIZES, size=m, p=PREFERRED_SHARE)
    return World(
        languages=languages,
        language_mask=mask,
        home=np.round(home, 5),
        max_km=np.round(max_km, 1),
        venues=np.round(venues, 5),
        reach=distance_km(np.round(home, 5), np.round(venues, 5)) <= np.round(max_km, 1)[:, None],
        about=about_texts(rng, tastes, talk),
        preferred_size=preferred,
        talk=talk,
    )


def world_compatibility(tastes: np.ndarray, chemistry: np.ndarray, world: World) -> np.ndarray:
    """True pair compatibility in the v2 world (symmetric, zero diagonal)."""
    upper = np.triu(chemistry, 1)
    compatibility = (
        TASTE_WEIGHT * (tastes @ tastes.T)
        + TALK_WEIGHT * (world.talk @ world.talk.T)
        + upper
        + upper.T
    )
    masks = world.language_mask
    compatibility[(masks[:, None] & masks[None, :]) == 0] = NO_LANGUAGE_COMPAT
    np.fill_diagonal(compatibility, 0.0)
    return compatibility
