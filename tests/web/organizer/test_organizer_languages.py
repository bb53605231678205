"""The organizer's pages in the organizer's language: dashboard charts (titles, legends,
explanations, the ripple caption), the left-out lists' suggested actions and details, the
matching progress (page and JSON), and the preview's unmatched reasons."""

from __future__ import annotations

from tests.web.organizer.conftest import logged_in_client
from tests.web.organizer.small_community import seed_small_community
from webapp.extensions import db
from webapp.models import Meetup
from webapp.services import match_progress

SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}
ENGLISH = {"Accept-Language": "en"}


def test_the_dashboard_in_spanish_has_spanish_charts_and_left_out_lists(app) -> None:  # type: ignore[no-untyped-def]
    community, people, _ = seed_small_community()
    client = logged_in_client(app, people["O"])
    page = client.get(f"/organize/{community.slug}", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="es">' in page
    for words in (
        "Miembros a lo largo del tiempo",  # a chart's title above it
        "Tasa de inscripción y de emparejamiento",
        "Profundidad de los vínculos",
        "El efecto dominó",
        "Evolución del bienestar",
        "La puntuación media que los miembros dieron a cada encuentro",  # an explanation
        "Activos (30 días)",  # a legend inside the SVG
        "Gráfico de vínculos",  # the network's accessible title
        "miembros en",  # its caption
        "Sugerencia: Escríbeles una nota personal",  # the left-out list's action
        "G: sin grupo 2 veces",  # and its detail
    ):
        assert words in page, words
    for english in ("Members over time", "Opt-in rate", "Write a personal note", "not placed 2"):
        assert english not in page, english
    # the same snapshot, read in English right after: English charts (drawn per language)
    page = client.get(f"/organize/{community.slug}", headers=ENGLISH).get_data(as_text=True)
    assert "Members over time" in page and "Miembros a lo largo" not in page
    assert "G: not placed 2 times" in page
    again = client.get(f"/organize/{community.slug}", headers=SPANISH).get_data(as_text=True)
    assert "Miembros a lo largo del tiempo" in again and "Members over time" not in again


def test_the_left_out_export_stays_english_data(app) -> None:  # type: ignore[no-untyped-def]
    community, people, _ = seed_small_community()
    client = logged_in_client(app, people["O"])
    client.get(f"/organize/{community.slug}", headers=SPANISH)
    from webapp.models import DashboardSnapshot

    stored = db.session.get(DashboardSnapshot, community.id).data["left_out"]
    assert stored["unplaced_twice"]["action"].startswith("Write a personal note")
    assert [p["detail"] for p in stored["unplaced_twice"]["people"]] == ["not placed 2 times"]


def _url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/organize/{world.slug}/meetups/{world.meetup_id}"


def test_the_progress_json_and_page_labels_are_french(world) -> None:  # type: ignore[no-untyped-def]
    organizer, french = world.clients["organizer"], {"Accept-Language": "fr"}
    match_progress.mark(world.meetup_id, match_progress.QUEUED)
    queued = organizer.get(_url(world) + "/progress", headers=french).get_json()["progress"]
    assert queued["label"] == "En attente d’un processus de répartition"
    match_progress.mark(
        world.meetup_id, match_progress.SEARCHING, best_score=12.5, seconds=1.0, limit=4.0
    )
    searching = organizer.get(_url(world) + "/progress", headers=french).get_json()["progress"]
    assert searching["state"] == "searching", "the state stays a code for the script"
    assert searching["label"] == "Recherche des meilleurs groupes : meilleur score jusqu’ici 12,50"
    page = organizer.get(_url(world), headers=french).get_data(as_text=True)
    assert "Recherche des meilleurs groupes : meilleur score jusqu’ici 12,50" in page
    english = organizer.get(_url(world) + "/progress").get_json()["progress"]
    assert english["label"] == "Searching for the best groups: best score 12.50 so far"


def test_the_stalled_label_is_german(world, app) -> None:  # type: ignore[no-untyped-def]
    app.config["MATCH_CLAIM_SECONDS"] = 0
    match_progress.mark(world.meetup_id, match_progress.BUILDING)
    progress = (
        world.clients["organizer"]
        .get(_url(world) + "/progress", headers={"Accept-Language": "de"})
        .get_json()["progress"]
    )
    assert progress["label"].startswith("Keine Rückmeldung vom Einteilungsprozess")


def test_the_preview_shows_unmatched_reasons_in_the_organizer_s_language(world) -> None:  # type: ignore[no-untyped-def]
    meetup = db.session.get(Meetup, world.meetup_id)
    from webapp.services import matching

    matching.run_matching_round(world.meetup_id)
    db.session.refresh(meetup)
    someone = meetup.groups[0].members[0].member_id
    meetup.unmatched = [{"member_id": someone, "reason": "too far from other members"}]
    db.session.commit()
    page = (
        world.clients["organizer"]
        .get(_url(world), headers={"Accept-Language": "de"})
        .get_data(as_text=True)
    )
    assert "Zu weit von den anderen Mitgliedern entfernt" in page
    assert "(nicht eingeteilt)" in page, "the move form's choices too"
