"""Matching never breaks on the learned model (issue 15): a corrupt, outdated, missing or
switched-off model, or an error while applying it, gives exactly the plain instance, a
log line with the community id, a recorded reason and a message on the organizer page."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import delete, select, update

from tests.web.organizer.conftest import logged_in_client
from tests.worker.compat_seed import open_meetup, organizer, seeded_community
from webapp.extensions import db
from webapp.models import CompatModel, CompatSetting
from webapp.services import compat_facts, compat_training, compat_weights, matching
from worker.compat import CompatModel as LearnedModel
from worker.compat import instance_terms, merge_terms


@pytest.fixture()
def trained(app):  # type: ignore[no-untyped-def]
    """A seeded community with an adopted model, its organizer, an open meetup, and the
    instance the plain weight makes for it (built before any model existed)."""
    community, people = seeded_community(members=40, meetups=8)
    meetup = open_meetup(community, people)
    plain = matching.build_instance(meetup)
    row = compat_training.train_community(community.id)
    assert row.adopted, row.reason
    return {
        "community": community,
        "meetup": meetup,
        "plain": plain,
        "row": row,
        "organizer": organizer(community),
    }


def _page(app, world) -> str:  # type: ignore[no-untyped-def]
    client = logged_in_client(app, world["organizer"])
    response = client.get(f"/organize/{world['community'].slug}/compatibility")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _setting(community_id: int) -> CompatSetting:
    db.session.expire_all()
    return db.session.get(CompatSetting, community_id)


def test_an_adopted_model_enters_the_instance(app, trained, caplog):  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.INFO, logger="webapp.services.compat_weights"):
        instance = matching.build_instance(trained["meetup"])
    engine = json.loads(trained["row"].model_json)["engine"]
    assert instance["interest_weight"] == engine["interest_weight"]
    assert instance["about_weight"] == engine["about_weight"]
    assert instance["members"] == trained["plain"]["members"]
    learned = LearnedModel.from_json(trained["row"].model_json)
    history = compat_facts.history_for(
        trained["community"].id,
        [matching.member_id_of(m["id"]) for m in instance["members"]],
        trained["meetup"].id,
    )
    assert history, "the seeded members met before"
    assert instance == merge_terms(trained["plain"], instance_terms(learned, history))
    plain = {(p["a"], p["b"]): p["bond"] for p in trained["plain"]["pairs"]}
    (a, b), counts = next((k, c) for k, c in sorted(history.items()) if k in plain)
    bond = next(p["bond"] for p in instance["pairs"] if (p["a"], p["b"]) == (a, b))
    extra = sum(engine[name] * n for name, n in counts.items())
    assert bond == pytest.approx(plain[(a, b)] + extra, abs=1e-5)
    assert f"community {trained['community'].id}: learned compatibility v1 in use" in caplog.text
    setting = _setting(trained["community"].id)
    assert setting.fallback_code == "" and setting.used_version == 1
    assert "Matching weighs pairs with what model version 1 learned here." in _page(app, trained)


def _plain_with_reason(trained, caplog, code: str, level: int) -> CompatSetting:  # type: ignore[no-untyped-def]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="webapp.services.compat_weights"):
        instance = matching.build_instance(trained["meetup"])
    assert instance == trained["plain"]
    community_id = trained["community"].id
    logged = [r for r in caplog.records if f"community {community_id}:" in r.getMessage()]
    assert logged and logged[-1].levelno == level and code in logged[-1].getMessage()
    setting = _setting(community_id)
    assert setting.fallback_code == code and setting.used_version is None
    return setting


def test_corrupt_json_falls_back(app, trained, caplog):  # type: ignore[no-untyped-def]
    db.session.execute(update(CompatModel).values(model_json='{"kind": "hearth.compat", "coef'))
    db.session.commit()
    setting = _plain_with_reason(trained, caplog, "corrupt", logging.WARNING)
    assert "not valid JSON" in setting.fallback_detail
    page = _page(app, trained)
    assert "No: the stored model could not be read." in page
    assert "At the last matching run" in page and "not valid JSON" in page
    assert compat_training.is_due(trained["community"].id), "a corrupt model is replaced"


def test_a_model_of_an_older_feature_set_falls_back(app, trained, caplog):  # type: ignore[no-untyped-def]
    stored = json.loads(trained["row"].model_json)
    stored["feature_set_version"] = 0
    db.session.execute(
        update(CompatModel).values(model_json=json.dumps(stored), feature_set_version="0")
    )
    db.session.commit()
    setting = _plain_with_reason(trained, caplog, "old_feature_set", logging.WARNING)
    assert "feature set 0" in setting.fallback_detail
    page = _page(app, trained)
    assert "No: the model was learned from an older set of pair features." in page
    assert "the model was learned from an older set of pair features." in page


def test_an_older_feature_set_inside_the_json_alone_is_caught_too(app, trained, caplog):  # type: ignore[no-untyped-def]
    stored = json.loads(trained["row"].model_json)
    stored["feature_set_version"] = 0
    db.session.execute(update(CompatModel).values(model_json=json.dumps(stored)))
    db.session.commit()
    setting = _plain_with_reason(trained, caplog, "old_feature_set", logging.WARNING)
    assert "older feature set" in setting.fallback_detail


def test_a_missing_model_falls_back(app, trained, caplog):  # type: ignore[no-untyped-def]
    db.session.execute(delete(CompatModel))
    db.session.commit()
    _plain_with_reason(trained, caplog, "no_model", logging.INFO)
    assert "Not yet: the first training is due." in _page(app, trained)


def test_switched_off_falls_back(app, trained, caplog):  # type: ignore[no-untyped-def]
    compat_weights.switch(trained["community"].id, False)
    db.session.commit()
    _plain_with_reason(trained, caplog, "switched_off", logging.INFO)
    assert "No: you switched it off." in _page(app, trained)


def test_a_model_not_adopted_is_not_used(app, trained, caplog):  # type: ignore[no-untyped-def]
    db.session.execute(update(CompatModel).values(adopted=False, reason="no better"))
    db.session.commit()
    _plain_with_reason(trained, caplog, "not_adopted", logging.INFO)
    assert "No: the latest model did not beat the plain weight." in _page(app, trained)


def test_an_error_while_applying_it_falls_back(app, trained, caplog, monkeypatch):  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("engine terms exploded")

    monkeypatch.setattr(compat_weights, "instance_terms", broken)
    setting = _plain_with_reason(trained, caplog, "failed", logging.WARNING)
    assert "engine terms exploded" in setting.fallback_detail
    page = _page(app, trained)
    assert "an error occurred while applying it." in page


def test_matching_runs_to_the_end_on_a_corrupt_model(app, trained):  # type: ignore[no-untyped-def]
    """The whole run (build, solve, store) works, not just the instance."""
    db.session.execute(update(CompatModel).values(model_json="garbage"))
    db.session.commit()
    matching.run_matching_round(trained["meetup"].id, notify=False)
    db.session.expire_all()
    assert trained["meetup"].status.value == "previewed"
    assert db.session.scalar(select(CompatSetting.fallback_code)) == "corrupt"


def test_a_training_in_progress_does_not_hold_up_matching(app, trained, caplog):  # type: ignore[no-untyped-def]
    """A training writes its row only when done: while its transaction is open, matching
    uses the newest committed model and waits for nothing."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite allows one writer at a time; production runs PostgreSQL")
    with db.engine.connect() as training:
        training.execute(
            CompatModel.__table__.insert().values(
                community_id=trained["community"].id,
                version=2,
                feature_set_version=trained["row"].feature_set_version,
                model_json="half-written",
                trained_at=trained["row"].trained_at,
                n_pairs=1,
                n_meetups=1,
                validation={},
                adopted=True,
                reason="",
                created_at=trained["row"].created_at,
            )
        )
        with caplog.at_level(logging.INFO, logger="webapp.services.compat_weights"):
            instance = matching.build_instance(trained["meetup"])
        training.rollback()
    assert "interest_weight" in instance
    assert "learned compatibility v1 in use" in caplog.text
