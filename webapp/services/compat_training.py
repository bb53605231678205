"""Training a community's learned compatibility model from its rated pairs (issue 15).

The worker's beat entry `hearth.train_compat_models` asks `due_community_ids()` which
communities to train: those with at least `worker.compat.MIN_RATED_PAIRS` rated pairs
(200) and no model yet, a model of an older feature set, an adopted model that cannot be
read back (corrupt), or at least `RETRAIN_NEW_PAIRS` new rated pairs since the last
training (50: as many as a fresh time-split hold-out of a minimal community,
`MIN_RATED_PAIRS x HOLDOUT_SHARE`). Each is trained by
`hearth.train_compat_model` on the matching queue (`train_if_due`).

A training stores one new `CompatModel` row (version = the community's last + 1), adopted
or not, with the pure module's reason and validation figures; when the pure module
returns no model (e.g. every rated pair from one meetup) the row keeps the reason with an
empty model, so the page can say why and the community is not retrained until new pairs
arrive. The unlearned weight it must beat is the one the community actually used: the
interest and about-text similarity plus the bonds of the policy of the meetup where the
pair met (`matching.POLICIES`); those bonds stay in the learned weight too, as they do in
matching.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus
from webapp.models._time import utcnow
from webapp.models.compat import CompatModel
from webapp.models.meetups import MatchingPolicy
from webapp.services import compat_facts
from webapp.services.compat_weights import latest_model
from worker.compat import (
    FEATURE_SET,
    FEATURE_SET_VERSION,
    MIN_RATED_PAIRS,
    Examples,
    ModelError,
    train,
)
from worker.compat import CompatModel as LearnedModel
from worker.compat.features import feature_rows
from worker.compat.model import HOLDOUT_SHARE

log = logging.getLogger(__name__)

#: New rated pairs since the last training that make a community due again.
RETRAIN_NEW_PAIRS = round(MIN_RATED_PAIRS * HOLDOUT_SHARE)
COL = {name: k for k, name in enumerate(FEATURE_SET)}


def examples_of(rated: compat_facts.RatedPairs) -> Examples:
    """The pure module's examples, with each pair's policy bonds (in the plain weight and,
    as in matching, added to the learned one)."""
    features = feature_rows(rated.members, rated.pairs)
    return Examples(
        meetup=np.asarray(rated.meetup_rank, dtype=np.int64),
        features=features,
        labels=np.asarray(rated.labels, dtype=np.int64),
        bonds=policy_bonds(rated, features),  # kept with and without the model
    )


def policy_bonds(rated: compat_facts.RatedPairs, features: np.ndarray) -> np.ndarray:
    """Each rated pair's bonds under its meetup's policy (`matching.POLICIES`)."""
    from webapp.services.matching import POLICIES

    out = np.zeros(len(rated.labels))
    for k, policy in enumerate(rated.policies):
        bonds = POLICIES[MatchingPolicy(policy)]
        out[k] = (
            bonds.mutual_again * rated.mutual_before[k]
            + bonds.each_again * features[k, COL["again_before"]]
            + bonds.per_meeting * features[k, COL["met_before"]]
            + bonds.not_for_me * features[k, COL["not_for_me_before"]]
        )
    return out


def is_due(community_id: int, rated_pairs: int | None = None) -> bool:
    """Enough rated pairs, and no model, an older feature set's, or enough new pairs."""
    count = compat_facts.rated_pair_count(community_id) if rated_pairs is None else rated_pairs
    if count < MIN_RATED_PAIRS:
        return False
    latest = latest_model(community_id)
    return (
        latest is None
        or str(latest.feature_set_version) != str(FEATURE_SET_VERSION)
        or count - latest.n_pairs >= RETRAIN_NEW_PAIRS
        or (latest.adopted and not _readable(latest.model_json))
    )


def _readable(model_json: str) -> bool:
    """True when a stored model can be read back (a corrupt one is replaced at once)."""
    try:
        LearnedModel.from_json(model_json)
    except ModelError:
        return False
    return True


def due_community_ids() -> list[int]:
    """Communities to train now (see the module docstring), by id."""
    with_meetups = db.session.scalars(
        select(Meetup.community_id)
        .where(Meetup.status == MeetupStatus.MATCHED)
        .group_by(Meetup.community_id)
        .order_by(Meetup.community_id)
    )
    return [c for c in with_meetups if is_due(c)]


def train_if_due(community_id: int) -> CompatModel | None:
    """Train the community if it is (still) due; the stored row, or None."""
    if not is_due(community_id):
        return None
    return train_community(community_id)


def train_community(community_id: int) -> CompatModel | None:
    """Train on every rated pair of the community and store the outcome as its next
    version (committed); None if a concurrent training stored that version first."""
    started = time.monotonic()
    rated = compat_facts.rated_pairs(community_id)
    examples = examples_of(rated)
    trained_at = utcnow().replace(microsecond=0)
    outcome = train(examples, trained_at=trained_at)
    version = 1 + (
        db.session.scalar(
            select(func.max(CompatModel.version)).where(CompatModel.community_id == community_id)
        )
        or 0
    )
    row = CompatModel(
        community_id=community_id,
        version=version,
        feature_set_version=str(FEATURE_SET_VERSION),
        model_json=outcome.model.to_json() if outcome.model is not None else "",
        trained_at=trained_at,
        n_pairs=len(rated.labels),
        n_meetups=len(set(rated.meetup_rank)),
        validation=outcome.validation,
        adopted=outcome.adopted,
        reason=outcome.reason[:300],
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("community %s: a concurrent training stored v%s first", community_id, version)
        return None
    log.info(
        "community %s: compatibility model v%s trained on %s rated pairs in %.1f s: %s (%s)",
        community_id,
        version,
        row.n_pairs,
        time.monotonic() - started,
        "adopted" if row.adopted else "not adopted",
        row.reason,
    )
    return row
