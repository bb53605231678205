"""About texts: TF-IDF topic vectors blended into the pair similarity, and shared topics.

The v2 field `interest_weight` (default 1; a community's learned compatibility model sets
it, worker/compat) scales the interest part the same way: the interest rows are multiplied
by sqrt(interest_weight), so sim becomes interest_weight * interest_sim.

The format's v2 blend is additive so it factorises into feature rows:
sim(i, j) = interest_sim(i, j) + about_weight * about_sim(i, j), where about_sim is the
cosine of the members' TF-IDF about vectors (zero when either wrote nothing). Appending
sqrt(about_weight) * about vector to each member's (unit) interest row gives exactly that
dot product, so every fast path built on feature rows (dense weights, neighbour search,
group scores from feature sums) works unchanged. Pairs where either member has no about
text keep the interest similarity alone, as the format requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

ABOUT_WEIGHT = 1.0  # default `about_weight`, tuned by simulation (docs/matching-format.md)
INTEREST_WEIGHT = 1.0  # default `interest_weight`: the interest similarity as in v1
INTEREST_WEIGHT_MAX = 10.0  # larger values are rejected as a likely mistake
WHY_TOPICS = 3  # about-text topics named in a group's `why`, after the shared tags


@dataclass(frozen=True)
class AboutTopics:
    """Unit TF-IDF rows of the members' about texts and the term of each column."""

    vectors: sp.csr_matrix  # (n, terms), zero rows for members without text
    terms: list[str]


def about_topics(texts: list[str]) -> AboutTopics | None:
    """TF-IDF over the non-empty about texts (English stop words, sublinear tf), or None.

    None when nobody wrote anything with a term left after stop words.
    """
    written = [k for k, text in enumerate(texts) if text.strip()]
    if not written:
        return None
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        rows = vectorizer.fit_transform([texts[k] for k in written]).tocoo()
    except ValueError:  # only stop words: an empty vocabulary
        return None
    index = np.asarray(written, dtype=np.int64)
    vectors = sp.csr_matrix(
        (rows.data, (index[rows.row], rows.col)), shape=(len(texts), rows.shape[1])
    )
    return AboutTopics(vectors, list(vectorizer.get_feature_names_out()))


def scale_rows(features: np.ndarray | sp.csr_matrix, weight: float) -> np.ndarray | sp.csr_matrix:
    """Feature rows whose dot products are weight * the original ones."""
    if sp.issparse(features):
        scaled = sp.csr_matrix(features) * np.sqrt(weight)
        scaled.eliminate_zeros()
        return scaled
    return np.asarray(features) * np.sqrt(weight)


def blend(
    interest: np.ndarray | sp.csr_matrix, about: sp.csr_matrix, weight: float
) -> sp.csr_matrix:
    """Feature rows whose dot products are interest_sim + weight * about_sim."""
    return sp.hstack([sp.csr_matrix(interest), np.sqrt(weight) * about], format="csr")


def shared_topics(topics: AboutTopics, members: np.ndarray, skip: list[str]) -> list[str]:
    """Terms at least two of `members` wrote, highest shared weight first (max WHY_TOPICS).

    A term's shared weight is the sum over pairs of the members' TF-IDF weights for it,
    ((sum x)^2 - sum x^2) / 2 per column; terms already named in `skip` are left out.
    """
    rows = topics.vectors[members].tocoo()
    counts = np.bincount(rows.col, minlength=len(topics.terms))
    total = np.bincount(rows.col, rows.data, minlength=len(topics.terms))
    squares = np.bincount(rows.col, rows.data**2, minlength=len(topics.terms))
    columns = np.flatnonzero(counts >= 2)
    shared = (total[columns] ** 2 - squares[columns]) / 2
    order = np.lexsort((columns, -shared))
    names = [topics.terms[columns[k]] for k in order]
    return [name for name in names if name not in skip][:WHY_TOPICS]
