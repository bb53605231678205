"""Learned compatibility (issue 15): rated pairs from the database, when a community is
due, and the worker training one end to end (real PostgreSQL with TEST_DATABASE_URL, a
real `celery worker` subprocess)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from tests.services import wait_until
from tests.worker import factories
from tests.worker.compat_seed import add_rated_meetups, open_meetup, seeded_community
from webapp.extensions import db
from webapp.models import (
    CompatModel,
    CompatSetting,
    Meetup,
    MeetupFeedback,
    MeetupStatus,
    OptIn,
    PairFeedback,
    Rsvp,
    Venue,
)
from webapp.models.groups import PairChoice
from webapp.services import compat_facts, compat_training, matching
from worker.compat import FEATURE_SET_VERSION, MIN_RATED_PAIRS
from worker.compat import CompatModel as LearnedModel


def _answer(meetup_id: int, rater, ratee=None, choice=None, attended: bool = True) -> None:  # type: ignore[no-untyped-def]
    db.session.add(MeetupFeedback(meetup_id=meetup_id, member_id=rater.id, attended=attended))
    if ratee is not None:
        db.session.add(
            PairFeedback(meetup_id=meetup_id, rater_id=rater.id, ratee_id=ratee.id, choice=choice)
        )


def test_rated_pairs_follow_the_label_rule(app):  # type: ignore[no-untyped-def]
    """Either "meet again" is 1, an answer without it 0, silence no example; a member
    who was not there (said so, or "Can't make it") meets nobody."""
    first, group, people = factories.published_round(size=5)
    a, b, c, d, e = people
    _answer(first.id, a, b, PairChoice.AGAIN)  # a-b: 1 (b silent)
    _answer(first.id, c, a, PairChoice.NOT_FOR_ME)  # c-a: 0; c answered: c-b, c-d 0
    _answer(first.id, e, attended=False)  # e was not there: no pair with e
    group.members[3].rsvp = Rsvp.GOING
    db.session.commit()
    rated = compat_facts.rated_pairs(first.community_id)
    index = {p.id: k for k, p in enumerate(people)}
    found = {frozenset((p.a, p.b)): y for p, y in zip(rated.pairs, rated.labels, strict=True)}
    assert found == {
        frozenset((index[a.id], index[b.id])): 1,
        frozenset((index[a.id], index[c.id])): 0,
        frozenset((index[b.id], index[c.id])): 0,
        frozenset((index[c.id], index[d.id])): 0,
        frozenset((index[a.id], index[d.id])): 0,  # a answered the form
    }
    assert compat_facts.rated_pair_count(first.community_id) == len(rated.labels) == 5
    assert {p.group_size for p in rated.pairs} == {5}
    group.members[3].rsvp = Rsvp.CANT  # d could not make it after all
    db.session.commit()
    assert compat_facts.rated_pair_count(first.community_id) == 3
    assert len(compat_facts.rated_pairs(first.community_id).labels) == 3


def test_history_counts_only_earlier_meetups(app):  # type: ignore[no-untyped-def]
    community, people = seeded_community(members=8, meetups=3)
    rated = compat_facts.rated_pairs(community.id)
    first_week = [p for p, rank in zip(rated.pairs, rated.meetup_rank, strict=True) if rank == 0]
    assert first_week and all(
        p.met_before == p.again_before == p.not_for_me_before == 0 for p in first_week
    )
    later = [p for p, rank in zip(rated.pairs, rated.meetup_rank, strict=True) if rank == 2]
    assert any(p.met_before for p in later)
    assert max(rated.meetup_rank) == 2
    assert compat_facts.rated_pair_count(community.id) == len(rated.labels)


def test_a_community_is_due_with_enough_new_rated_pairs(app):  # type: ignore[no-untyped-def]
    small, _ = seeded_community("Small Circle", members=12, meetups=3)
    assert compat_facts.rated_pair_count(small.id) < MIN_RATED_PAIRS
    community, people = seeded_community(members=40, meetups=6)
    count = compat_facts.rated_pair_count(community.id)
    assert count >= MIN_RATED_PAIRS
    assert compat_training.due_community_ids() == [community.id]
    row = compat_training.train_if_due(community.id)
    assert row is not None and row.version == 1 and row.n_pairs == count
    assert compat_training.due_community_ids() == []
    assert compat_training.train_if_due(community.id) is None
    venue = db.session.scalars(select(Venue).where(Venue.community_id == community.id)).one()
    import random

    add_rated_meetups(community, people, venue, 1, random.Random(3), start=6)
    db.session.commit()
    assert compat_facts.rated_pair_count(community.id) - count >= compat_training.RETRAIN_NEW_PAIRS
    assert compat_training.due_community_ids() == [community.id]
    assert compat_training.train_if_due(community.id).version == 2
    db.session.execute(update(CompatModel).values(feature_set_version="0"))
    db.session.commit()
    assert compat_training.due_community_ids() == [community.id], "an older feature set retrains"


def test_training_stores_an_adopted_model_with_its_figures(app):  # type: ignore[no-untyped-def]
    community, _ = seeded_community(members=40, meetups=8)
    row = compat_training.train_community(community.id)
    assert row.adopted, row.reason
    assert row.feature_set_version == str(FEATURE_SET_VERSION)
    assert row.n_meetups == 8 and row.n_pairs == compat_facts.rated_pair_count(community.id)
    assert row.validation["auc_engine"] > row.validation["auc_plain"]
    learned = LearnedModel.from_json(row.model_json)
    assert learned.engine["about_weight"] > 0
    assert "Seedling" not in row.model_json and "@" not in row.model_json, "no member data"


def test_the_worker_trains_a_seeded_community_and_matching_uses_it(app, celery_workers):  # type: ignore[no-untyped-def]
    """The beat task finds the community, the matching worker trains it, and the next
    instance carries the learned weights."""
    from worker.tasks import train_compat_models

    community, people = seeded_community(members=40, meetups=8)
    community_id = community.id
    celery_workers("notifications,matching")
    train_compat_models.delay()
    wait_until(
        lambda: db.session.scalar(
            select(CompatModel).where(CompatModel.community_id == community_id)
        ),
        60,
        "a trained model",
    )
    row = db.session.scalars(select(CompatModel)).one()
    assert row.version == 1 and row.adopted, row.reason
    assert row.trained_at > factories.utcnow() - timedelta(minutes=5)
    meetup = open_meetup(community, people)
    instance = matching.build_instance(meetup)
    engine = json.loads(row.model_json)["engine"]
    assert instance["interest_weight"] == engine["interest_weight"]
    assert instance["about_weight"] == engine["about_weight"]


def test_the_worker_matches_with_the_plain_weight_when_the_model_is_corrupt(app, celery_workers):  # type: ignore[no-untyped-def]
    """A matching task on a real worker runs to its preview past a corrupt model, logs
    why with the community id, and records it for the organizer's page."""
    from worker.tasks import run_matching_round

    community, people = seeded_community(members=40, meetups=8)
    assert compat_training.train_community(community.id).adopted
    db.session.execute(update(CompatModel).values(model_json="{corrupt"))
    db.session.commit()
    meetup_id = open_meetup(community, people).id
    (worker,) = celery_workers("matching")
    run_matching_round.delay(meetup_id)
    wait_until(
        lambda: db.session.get(Meetup, meetup_id).status == MeetupStatus.PREVIEWED,
        60,
        "the preview",
    )
    setting = db.session.get(CompatSetting, community.id)
    assert setting.fallback_code == "corrupt" and "not valid JSON" in setting.fallback_detail
    log = worker.log_path.read_text()
    assert f"community {community.id}: learned compatibility not used (corrupt" in log


def test_matching_history_counts_what_training_counts(app):  # type: ignore[no-untyped-def]
    """met_before / again_before / not_for_me_before for a meetup being matched, as the
    training saw them: earlier published meetups only, "Can't make it" seats excluded."""
    first, group, people = factories.published_round(size=4)
    a, b, c, d = people
    _answer(first.id, a, b, PairChoice.AGAIN)
    db.session.add(
        PairFeedback(meetup_id=first.id, rater_id=b.id, ratee_id=a.id, choice=PairChoice.AGAIN)
    )
    db.session.add(
        PairFeedback(meetup_id=first.id, rater_id=b.id, ratee_id=c.id, choice=PairChoice.NOT_FOR_ME)
    )
    group.members[3].rsvp = Rsvp.CANT  # d never met them
    community = db.session.get(Meetup, first.id).community
    upcoming = factories.meetup(community)
    for person in people:
        db.session.add(OptIn(meetup_id=upcoming.id, member_id=person.id))
    db.session.commit()
    key = matching.member_key
    history = compat_facts.history_for(community.id, [p.id for p in people], upcoming.id)
    assert history == {
        (key(a.id), key(b.id)): {"met_before": 1, "again_before": 2},
        (key(a.id), key(c.id)): {"met_before": 1},
        (key(b.id), key(c.id)): {"met_before": 1, "not_for_me_before": 1},
    }
    assert compat_facts.history_for(community.id, [a.id, c.id], upcoming.id) == {
        (key(a.id), key(c.id)): {"met_before": 1}
    }
