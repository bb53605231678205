"""Simulated "about me" texts: words drawn from topic vocabularies tied to hidden tastes.

Each hidden dimension has two poles, each with its own small vocabulary (a topic). A
member's text picks topics with probability rising with how strongly their hidden vector
points at the pole, then a word of that topic, mixed with filler words any member might
write. Half of the topic words come from the taste dimensions that declared interest tags
also follow, half from the "talk" dimensions (what someone likes to talk about, their
stage of life and values) that no tag reveals: so the text carries part of the hidden
compatibility that tags do not, with noise. A share of members leave the text empty.
"""

from __future__ import annotations

import numpy as np

# one (positive pole, negative pole) pair of topic vocabularies per hidden dimension
TASTE_TOPICS = (
    ("forest trails mountains kayaking camping wildlife sunrise rivers",
     "cafes museums galleries architecture streetfood markets skyline boutiques"),
    ("training marathon gym sprints fitness triathlon bouldering matches",
     "novels poetry crosswords teahouses libraries quiet journaling audiobooks"),
    ("painting sketching pottery ceramics sewing crafts watercolour collage",
     "maths coding data puzzles logic physics algorithms statistics"),
    ("cooking recipes baking spices fermentation sourdough dinners cuisine",
     "gaming consoles streaming esports anime series boardgames roleplay"),
    ("guitar jazz vinyl choir drums gigs songwriting piano",
     "cinema theatre documentaries screenplays directors matinees improv actors"),
    ("backpacking hostels roadtrips abroad flights passports islands interrail",
     "gardening plants allotment compost seedlings houseplants woodwork carpentry"),
)  # fmt: skip
TALK_TOPICS = (
    ("philosophy meaning ethics existential values introspection spirituality purpose",
     "jokes memes gossip puns silliness banter laughs trivia"),
    ("toddler school parenting nappies playground family kids bedtime",
     "clubbing dating festivals bars nightlife parties concerts latenight"),
    ("career startup promotion networking leadership ambition mentoring entrepreneurship",
     "slowliving simplicity minimalism mindfulness sabbatical downshifting contentment calm"),
    ("climate activism justice protest organising equality campaigning refugees",
     "tradition heritage faith church customs ancestry folklore roots"),
)  # fmt: skip
FILLER = (
    "hi hello new city moved recently love meeting people friends weekend coffee chat "
    "looking forward open anything curious happy fun nice chatting evenings really enjoy "
    "lots things sometimes often also honestly"
).split()
TOPIC_SHARPNESS = 4.0  # how strongly topic choice follows the hidden vector
TALK_SHARE = 0.5  # share of topic words from the talk dimensions
FILLER_SHARE = 0.3  # share of words that are filler, unrelated to tastes
WORDS = (4, 13)  # topic-or-filler words per text, [low, high)
EMPTY_SHARE = 0.1  # members who leave the text empty


def _vocabularies(topics: tuple[tuple[str, str], ...]) -> list[list[str]]:
    """Topic vocabularies in pole order: dim 0 +, dim 0 -, dim 1 +, ..."""
    return [pole.split() for dim in topics for pole in dim]


def _pick_topic(rng: np.random.Generator, vector: np.ndarray) -> int:
    """A pole index (2 d for +, 2 d + 1 for -) drawn by softmax of the signed components."""
    poles = np.column_stack([vector, -vector]).ravel()
    p = np.exp(TOPIC_SHARPNESS * (poles - poles.max()))
    return int(rng.choice(len(poles), p=p / p.sum()))


def about_text(rng: np.random.Generator, taste: np.ndarray, talk: np.ndarray) -> str:
    """One member's text (may be empty), from their unit taste and talk vectors."""
    if rng.random() < EMPTY_SHARE:
        return ""
    taste_vocab, talk_vocab = _vocabularies(TASTE_TOPICS), _vocabularies(TALK_TOPICS)
    words = []
    for _ in range(int(rng.integers(*WORDS))):
        if rng.random() < FILLER_SHARE:
            words.append(FILLER[int(rng.integers(len(FILLER)))])
            continue
        use_talk = rng.random() < TALK_SHARE
        vocab = talk_vocab if use_talk else taste_vocab
        topic = vocab[_pick_topic(rng, talk if use_talk else taste)]
        words.append(topic[int(rng.integers(len(topic)))])
    return "I love " + ", ".join(words[:-1]) + f" and {words[-1]}." if len(words) > 1 else words[0]


def about_texts(rng: np.random.Generator, tastes: np.ndarray, talk: np.ndarray) -> list[str]:
    """Every member's text, in member order."""
    return [about_text(rng, a, b) for a, b in zip(tastes, talk, strict=True)]
