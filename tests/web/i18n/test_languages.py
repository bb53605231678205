"""Pages, forms and emails in the reader's language: the browser's, the member's choice,
or (for emails to members who chose none) the community's default; English otherwise."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.helpers import csrf_token, sign_up, submit
from tests.worker import factories
from webapp.extensions import db
from webapp.models import Community, Member
from webapp.models.messages import OutboxEmail
from webapp.services import emails, notifications
from webapp.templating import format_number, format_share, format_when, local

#: A Saturday evening in Berlin (18:30 UTC in winter is 19:30 there).
SATURDAY = datetime(2026, 12, 5, 18, 30)


@pytest.mark.parametrize(
    ("header", "lang", "words"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr", ["Rejoindre Hearth", "Créer mon compte", "S’inscrire"]),
        ("es-ES,es;q=0.8", "es", ["Únete a Hearth", "Crear mi cuenta", "Registrarse"]),
        ("de-DE,de;q=0.9", "de", ["Bei Hearth mitmachen", "Mein Konto erstellen", "Anmelden"]),
    ],
)
def test_pages_follow_the_browser_language(client, header, lang, words) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/signup", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page
    assert "Create my account" not in page


def test_without_a_known_browser_language_pages_are_english(client) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"Accept-Language": "ja-JP,ja;q=0.9"}):
        page = client.get("/signup", headers=headers).get_data(as_text=True)
        assert '<html lang="en">' in page and "Create my account" in page


def test_form_errors_are_translated(client) -> None:  # type: ignore[no-untyped-def]
    """WTForms' own messages come from its catalogues, Hearth's from ours."""
    french = {"Accept-Language": "fr"}
    page = client.get("/signup", headers=french).get_data(as_text=True)
    answer = client.post(
        "/signup",
        data={"csrf_token": csrf_token(page), "email": "x", "display_name": "", "password": "a"},
        headers=french,
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Ce champ est requis." in text  # WTForms' French
    assert "Merci de saisir une adresse e-mail valide." not in text  # not reached: empty name


def _profile_form(page: str, **changes: str) -> dict:
    data = {"display_name": "Sam", "interests": "jazz", "about": "", "availability": ["0-evening"]}
    return {**data, **changes, "csrf_token": csrf_token(page)}


def test_a_member_choice_beats_the_browser(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    page = client.get("/me/profile").get_data(as_text=True)
    assert '<option value="de">Deutsch</option>' in page
    saved = client.post("/me/profile", data=_profile_form(page, locale="de"))
    assert saved.status_code == 302
    assert db.session.scalar(select(Member.locale)) == "de"
    home = client.get("/me", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="de">' in home and "Meine Gruppen" in home
    assert "Dein Profil ist gespeichert." in home  # the flash speaks the new language
    # back to "not chosen": the browser decides again
    page = client.get("/me/profile").get_data(as_text=True)
    client.post("/me/profile", data=_profile_form(page, locale=""))
    assert db.session.scalar(select(Member.locale)) is None
    home = client.get("/me", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="es">' in home and "Mis grupos" in home


@pytest.mark.parametrize("value", ["xx", "en_US", "'; drop table members;--", "fr" * 50])
def test_an_unknown_language_gets_a_form_error_not_a_500(app, client, value) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    page = client.get("/me/profile").get_data(as_text=True)
    answer = client.post("/me/profile", data=_profile_form(page, locale=value))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="locale-error"' in text
    assert "Please choose one of the languages offered." in text
    assert db.session.scalar(select(Member.locale)) is None


def test_organizers_set_the_community_language_and_bad_values_are_refused(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "olivia@example.org", name="Olivia")
    submit(client, "/communities/new", {"name": "Harbour", "description": "", "timezone": "UTC"})
    community = db.session.scalar(select(Community))
    settings = f"/organize/{community.slug}/settings"
    fields = {"name": "Harbour", "description": "", "city": "", "timezone": "UTC"}
    answer = submit(client, settings, {**fields, "interest_tags": "", "default_locale": "zz"})
    assert answer.status_code == 400
    assert "Please choose one of the languages offered." in answer.get_data(as_text=True)
    answer = submit(client, settings, {**fields, "interest_tags": "", "default_locale": "fr"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Community, community.id).default_locale == "fr"
    page = client.get(settings).get_data(as_text=True)
    assert '<option selected value="fr">Français</option>' in page


BASE = "http://127.0.0.1:5000/me"


def _description(mail: OutboxEmail) -> str:
    """The calendar invite's DESCRIPTION, unfolded and unescaped as a calendar reads it."""
    [event] = icalendar.Calendar.from_ical(mail.calendar_ics).walk("VEVENT")
    return str(event["DESCRIPTION"])


def _match_email(person: Member) -> OutboxEmail:
    return db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.kind == "match", OutboxEmail.member_id == person.id)
    )


def test_a_french_member_gets_french_emails_with_french_dates(app) -> None:  # type: ignore[no-untyped-def]
    _round, group, people = factories.published_round(size=3, starts_at=SATURDAY)
    people[0].locale = "fr"
    emails.queue_match_emails(group)
    mail = _match_email(people[0])
    assert mail.subject == "Votre groupe pour First round : sam. 5 déc., 19:30"
    assert "Bonjour Person0," in mail.body_text
    assert "samedi 5 décembre à 19:30 (Europe/Berlin)" in mail.body_text
    assert "Person1, Person2 et vous" in mail.body_text
    assert "Vous aimez tous jazz." in mail.body_text
    assert '<html lang="fr">' in mail.body_html and "Votre groupe est prêt" in mail.body_html
    assert _description(mail) == "Votre groupe : Person1, Person2 et vous.\nÀ voir sur " + BASE
    # the others chose nothing and their community has no default: English
    english = _match_email(people[1])
    assert english.subject == "Your group for First round: Sat 05 Dec, 19:30"
    assert "Saturday 05 December, 19:30 (Europe/Berlin)" in english.body_text
    assert _description(english) == "Your group: Person0, Person2 and you.\nSee it on " + BASE


def test_the_community_default_speaks_for_members_who_chose_none(app) -> None:  # type: ignore[no-untyped-def]
    _round, group, people = factories.published_round(size=3, starts_at=SATURDAY)
    group.meetup.community.default_locale = "es"
    people[2].locale = "de"
    emails.queue_match_emails(group)
    spanish = _match_email(people[0])
    assert spanish.subject.startswith("Tu grupo para First round: sáb 5 dic, 19:30")
    assert "Hola, Person0:" in spanish.body_text
    assert "sábado 5 de diciembre, 19:30" in spanish.body_text
    german = _match_email(people[2])
    assert "Hallo Person2," in german.body_text
    assert "Samstag, 5. Dezember, 19:30 Uhr" in german.body_text


def test_worker_reminders_render_in_the_member_language_outside_a_request(app) -> None:  # type: ignore[no-untyped-def]
    _round, group, people = factories.published_round(size=3, starts_at=SATURDAY)
    people[0].locale = "de"
    db.session.commit()
    notifications.queue_due(now=datetime(2026, 12, 4, 18, 0))
    reminder = db.session.scalar(
        select(OutboxEmail).where(
            OutboxEmail.kind == "reminder_day_before", OutboxEmail.member_id == people[0].id
        )
    )
    assert reminder.subject == "Morgen: First round um 19:30"
    assert "Morgen um 19:30 triffst du Person1, Person2 bei First round." in reminder.body_text


def test_account_emails_follow_the_language_of_the_sign_up_page(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/signup", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    client.post(
        "/signup",
        data={
            "csrf_token": csrf_token(page),
            "email": "lea@example.org",
            "display_name": "Léa",
            "password": "a long enough passphrase",
        },
        headers={"Accept-Language": "fr"},
    )
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "confirm_email"))
    assert mail.subject == "Confirmez votre e-mail pour Hearth"
    assert "Bienvenue sur Hearth !" in mail.body_text


def test_dates_and_numbers_are_written_the_reader_s_way(app) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "en": ("Sat 05 Dec 2026, 19:30", "1,234.5", "25%"),
        "fr": ("sam. 5 déc. 2026, 19:30", "1\u202f234,5", "25\u00a0%"),
        "es": ("sáb 5 dic 2026, 19:30", "1.234,5", "25\u00a0%"),
        "de": ("Sa., 5. Dez. 2026, 19:30", "1.234,5", "25\u00a0%"),
    }
    with app.test_request_context():
        for language, (when, number, share) in cases.items():
            with force_locale(language):
                assert local(SATURDAY, "Europe/Berlin") == when
                assert format_number(1234.5, 1) == number
                assert format_share(0.25) == share
        with force_locale("fr"):
            assert format_when(SATURDAY, "time", "America/New_York") == "13:30"


def test_error_pages_speak_the_browser_language(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/no-such-page", headers={"Accept-Language": "de"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "Diese Seite haben wir nicht gefunden." in text and "Fehler 404" in text
