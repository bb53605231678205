"""A community's learned compatibility model (issue 15): pure numpy and scikit-learn.

Plain data in (`MemberFacts`, `PairFacts`), plain data out: `features` turns two members
and the meetup where they met into one row of FEATURE_SET; `model.train` fits a logistic
regression on a community's rated pairs, validates it on the community's latest meetups
(time split) against the unlearned weight, and returns a `TrainingOutcome` whose
`CompatModel` is adopted only when it ranks held-out pairs better; `terms.instance_terms`
turns an adopted model into matching-instance fields (`interest_weight`, `about_weight`)
and bonds for pairs with history. No Flask, SQLAlchemy or Celery here: the web app maps
its rows to these dataclasses, the community simulation maps its people to them.
"""

from worker.compat.features import (
    FEATURE_SET,
    FEATURE_SET_VERSION,
    MemberFacts,
    PairFacts,
    feature_rows,
    pair_features,
)
from worker.compat.label import label
from worker.compat.model import (
    MIN_RATED_PAIRS,
    CompatModel,
    Examples,
    ModelError,
    TrainingOutcome,
    train,
)
from worker.compat.terms import instance_terms, merge_terms

__all__ = [
    "FEATURE_SET",
    "FEATURE_SET_VERSION",
    "MIN_RATED_PAIRS",
    "CompatModel",
    "Examples",
    "MemberFacts",
    "ModelError",
    "PairFacts",
    "TrainingOutcome",
    "feature_rows",
    "instance_terms",
    "label",
    "merge_terms",
    "pair_features",
    "train",
]
