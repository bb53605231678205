"""The organizer page "What makes pairs click here" (issue 15): with and without a model,
aggregates only, the on/off switch and what bad input to it gets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token, submit
from tests.web.organizer.conftest import logged_in_client
from tests.worker.compat_seed import organizer, seeded_community
from webapp.extensions import db
from webapp.models import AuditEntry, CompatSetting, Member
from webapp.services import compat_facts, compat_training


@pytest.fixture()
def place(app):  # type: ignore[no-untyped-def]
    """A community with rated meetups (no model yet) and its organizer's client."""
    community, people = seeded_community(members=40, meetups=8)
    boss = organizer(community)
    return {
        "community": community,
        "people": people,
        "client": logged_in_client(app, boss),
        "url": f"/organize/{community.slug}/compatibility",
    }


def test_the_dashboard_links_to_the_page(app, place):  # type: ignore[no-untyped-def]
    page = place["client"].get(f"/organize/{place['community'].slug}").get_data(as_text=True)
    assert f'href="{place["url"]}"' in page


def test_without_enough_rated_pairs_it_says_how_many_of_the_threshold(app):  # type: ignore[no-untyped-def]
    community, _ = seeded_community("Tiny Circle", members=12, meetups=2)
    count = compat_facts.rated_pair_count(community.id)
    client = logged_in_client(app, organizer(community))
    page = client.get(f"/organize/{community.slug}/compatibility").get_data(as_text=True)
    assert "Not yet: not enough rated pairs." in page
    assert f"{count} of the 200 rated pairs a model needs so far." in page
    assert 'id="chart-compat"' not in page and 'id="compat-validation"' not in page


def test_with_a_model_it_shows_effects_chart_and_validation(app, place):  # type: ignore[no-untyped-def]
    row = compat_training.train_community(place["community"].id)
    response = place["client"].get(place["url"])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Learned from {row.n_pairs} rated pairs who met at 8 meetups" in page
    assert "Similar “about me” texts: one typical step" in page
    assert re.search(r'<figure class="chart" id="chart-compat".*?<svg', page, re.S)
    validation = row.validation
    assert f"<td>{validation['auc_engine']:.2f}</td><td>{validation['auc_plain']:.2f}</td>" in page
    assert 'id="compat-calibration"' in page
    assert "<script" not in page.split('id="chart-compat"')[1]
    assert ' style="' not in page, "the CSP allows no inline style"


def test_nothing_on_the_page_names_a_member(app, place):  # type: ignore[no-untyped-def]
    compat_training.train_community(place["community"].id)
    page = place["client"].get(place["url"]).get_data(as_text=True)
    names = db.session.scalars(select(Member.display_name)).all()
    assert not [n for n in names if n.split()[0] in page and "Organizer" not in n]
    assert "@example.org" not in page.replace("organizer@example.org", "")


def test_a_model_that_did_not_beat_the_plain_weight_says_so(app, place):  # type: ignore[no-untyped-def]
    row = compat_training.train_community(place["community"].id)
    row.adopted = False
    row.validation = {**row.validation, "auc_engine": 0.61, "auc_plain": 0.64}
    db.session.commit()
    page = place["client"].get(place["url"]).get_data(as_text=True)
    assert "No: the latest model did not beat the plain weight." in page
    assert "(AUC 0.61 against 0.64)" in page


def test_the_organizer_switches_it_off_and_on(app, place):  # type: ignore[no-untyped-def]
    client, url = place["client"], place["url"]
    response = submit(client, url, {"use_learned": "off"})
    assert response.status_code == 302
    community_id = place["community"].id
    assert db.session.get(CompatSetting, community_id).use_learned is False
    page = client.get(url).get_data(as_text=True)
    assert "No: you switched it off." in page
    assert re.search(r'checked[^>]*value="off"|value="off"[^>]*checked', page)
    submit(client, url, {"use_learned": "on"})
    db.session.expire_all()
    assert db.session.get(CompatSetting, community_id).use_learned is True
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("compat.switch") == 2


@pytest.mark.parametrize("data", [{"use_learned": "maybe"}, {}, {"use_learned": "on" * 500}])
def test_bad_input_to_the_switch_gets_a_clear_message(app, place, data):  # type: ignore[no-untyped-def]
    response = submit(place["client"], place["url"], data)
    assert response.status_code == 400
    assert "Choose on or off." in response.get_data(as_text=True)
    assert db.session.get(CompatSetting, place["community"].id) is None


def test_the_switch_needs_a_csrf_token(app, place):  # type: ignore[no-untyped-def]
    response = place["client"].post(place["url"], data={"use_learned": "off"})
    assert response.status_code == 400
    assert db.session.get(CompatSetting, place["community"].id) is None


def test_only_its_organizers_may_see_or_switch(app, place):  # type: ignore[no-untyped-def]
    member = logged_in_client(app, place["people"][0])
    assert member.get(place["url"]).status_code == 403
    other, _ = seeded_community("Other Place", members=4, meetups=1)
    stranger = logged_in_client(app, organizer(other, "other@example.org"))
    assert stranger.get(place["url"]).status_code == 403
    token = csrf_token(stranger.get(f"/organize/{other.slug}").get_data(as_text=True))
    refused = stranger.post(place["url"], data={"use_learned": "off", "csrf_token": token})
    assert refused.status_code == 403
    assert db.session.get(CompatSetting, place["community"].id) is None
    anonymous = app.test_client().get(place["url"])
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_page_speaks_the_readers_language(app, place):  # type: ignore[no-untyped-def]
    row = compat_training.train_community(place["community"].id)
    response = place["client"].get(place["url"], headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Ce qui rapproche les gens ici</h1>" in page
    auc = f"{row.validation['auc_engine']:.2f}".replace(".", ",")
    assert f"<td>{auc}</td>" in page, "French decimal comma"
