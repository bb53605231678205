"""What still spoke English only after the first pass: the engine's "why you weren't
placed" reason, the one-click pages of email links, and the wrapper around an organizer's
own message; each in the reader's language now."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.worker import factories
from webapp.extensions import db
from webapp.models import Member, OptIn
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail
from webapp.services import links, messaging, notifications
from webapp.services.links import Action
from webapp.services.unplaced_reasons import REASONS, reason_text

EXPLAIN = Path(__file__).resolve().parents[3] / "worker" / "matching" / "explain.py"


def _engine_reasons() -> set[str]:
    """Every string `unmatched_reason` returns, read from the engine's source."""
    tree = ast.parse(EXPLAIN.read_text(encoding="utf-8"))
    [function] = [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "unmatched_reason"
    ]
    return {
        n.value.value
        for n in ast.walk(function)
        if isinstance(n, ast.Return)
        and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, str)
    }


def test_every_engine_reason_has_a_translatable_message() -> None:
    reasons = _engine_reasons()
    assert len(reasons) >= 9
    assert reasons == set(REASONS), "a new engine reason needs an entry in unplaced_reasons"


def test_reasons_are_translated_and_unknown_ones_fall_back(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        with force_locale("en"):
            assert reason_text("no available time slot") == "No available time slot"
            assert reason_text("some new engine words") == "Some new engine words"
            assert reason_text(None).startswith("There were not enough seats")
        for language in ("fr", "es", "de"):
            with force_locale(language):
                for english in REASONS:
                    assert reason_text(english) != english[:1].upper() + english[1:], (
                        language,
                        english,
                    )
                generic = reason_text(None)
                assert reason_text("some new engine words") == generic
                assert "not enough seats" not in generic
        with force_locale("de"):
            assert reason_text("too far from other members") == (
                "Zu weit von den anderen Mitgliedern entfernt"
            )


def _left_out(reason: str, locale: str | None) -> tuple[Member, OutboxEmail]:
    round_, _group, _people = factories.published_round(
        size=3, starts_at=utcnow().replace(microsecond=0) + timedelta(days=5)
    )
    person = factories.member(round_.community, 9, "Ola Nordmann")
    person.locale = locale
    db.session.add(OptIn(meetup_id=round_.id, member_id=person.id))
    round_.unmatched = [{"member_id": person.id, "reason": reason}]
    db.session.flush()
    assert notifications.queue_not_placed(round_) == 1
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "not_placed"))
    return person, mail


def test_a_french_member_s_not_placed_email_gives_the_reason_in_french(app) -> None:  # type: ignore[no-untyped-def]
    _person, mail = _left_out("venue full at every time slot you are free", "fr")
    assert "Pourquoi : Lieu complet à tous les créneaux où vous êtes libre" in mail.body_text
    assert "Lieu complet à tous les créneaux où vous êtes libre" in mail.body_html
    assert "Venue full" not in mail.body_text + mail.body_html


def test_an_english_not_placed_email_keeps_the_engine_s_words(app) -> None:  # type: ignore[no-untyped-def]
    _person, mail = _left_out("not enough members free at the same time", None)
    assert "Why: Not enough members free at the same time" in mail.body_text


def test_an_unknown_reason_becomes_the_generic_sentence_in_spanish(app) -> None:  # type: ignore[no-untyped-def]
    _person, mail = _left_out("a reason from a newer engine", "es")
    assert "Por qué: No había suficientes plazas ni horarios libres en común para todos." in (
        mail.body_text
    )
    assert "newer engine" not in mail.body_text


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def test_a_german_member_s_one_click_page_is_german_with_an_english_browser(app, client) -> None:  # type: ignore[no-untyped-def]
    round_, _group, people = factories.published_round(size=3)
    people[0].locale = "de"
    db.session.commit()
    url = _path(links.link(Action.IM_IN, people[0].id, round_.id))
    page = client.get(url, headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert '<html lang="de">' in page and "Ja, ich bin dabei" in page
    assert "Yes, I&#39;m in" not in page
    done = client.post(url, headers=ENGLISH_BROWSER)
    assert done.status_code == 200 and '<html lang="de">' in done.get_data(as_text=True)
    # the next page of the same browser, without a link, follows the browser again
    assert '<html lang="en">' in client.get("/signup", headers=ENGLISH_BROWSER).get_data(
        as_text=True
    )


def test_link_pages_use_the_community_default_then_the_browser(app, client) -> None:  # type: ignore[no-untyped-def]
    round_, _group, people = factories.published_round(size=3)
    round_.community.default_locale = "es"
    db.session.commit()
    cant = _path(links.link(Action.CANT_MAKE_IT, people[1].id, round_.id))
    page = client.get(cant, headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert '<html lang="es">' in page
    # an unsubscribe link names no meetup: the member's community speaks for them
    stop = _path(links.link(Action.UNSUBSCRIBE, people[1].id, kind="reminder_morning"))
    assert '<html lang="es">' in client.get(stop, headers=ENGLISH_BROWSER).get_data(as_text=True)
    round_.community.default_locale = None
    db.session.commit()
    page = client.get(stop, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in page, "nobody chose: the browser decides"


def test_feedback_link_errors_speak_the_member_s_language(app, client) -> None:  # type: ignore[no-untyped-def]
    round_, _group, people = factories.published_round(
        size=3, starts_at=utcnow().replace(microsecond=0) - timedelta(hours=3)
    )
    people[0].locale = "fr"
    db.session.commit()
    url = _path(links.link(Action.FEEDBACK, people[0].id, round_.id))
    page = client.get(url, headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert '<html lang="fr">' in page
    missing = client.post(url, data={"attended": "yes"}, headers=ENGLISH_BROWSER)
    assert missing.status_code == 400 and '<html lang="fr">' in missing.get_data(as_text=True)


@pytest.mark.parametrize(
    ("locale", "greeting", "signature"),
    [
        ("fr", "Bonjour Person1,", "Organizer Doe, organisateur·rice de Harbour Friends"),
        ("de", "Hallo Person1,", "Organizer Doe aus dem Orga-Team von Harbour Friends, zu "),
        (None, "Hi Person1,", "Organizer Doe, organizer of Harbour Friends, about "),
    ],
)
def test_an_organizer_message_is_wrapped_in_the_member_s_language(  # type: ignore[no-untyped-def]
    app, locale, greeting, signature
) -> None:
    round_, _group, people = factories.published_round(size=3)
    organizer = factories.member(round_.community, 7, "Organizer Doe")
    people[1].locale = locale
    db.session.commit()
    with app.test_request_context(headers=ENGLISH_BROWSER):
        messaging.send_message(round_, organizer, "all", "Rain", "Bring an umbrella, please.")
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.member_id == people[1].id))
    assert mail.body_text.startswith(greeting + "\n\nBring an umbrella, please.\n\n")
    assert signature in mail.body_text
    assert mail.subject == "[Harbour Friends] Rain", "the organizer's own words stay as written"


def test_the_cancellation_reason_is_in_each_member_s_language(app) -> None:  # type: ignore[no-untyped-def]
    from webapp.services.meetups import cancel_meetup

    round_, _group, people = factories.published_round(size=3)
    people[0].locale = "de"
    db.session.commit()
    assert cancel_meetup(round_, None) == 3
    texts = {
        m.member_id: m.body_text
        for m in db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "cancellation"))
    }
    assert "Das Orga-Team hat es abgesagt." in texts[people[0].id]
    assert "The organizers cancelled it." in texts[people[1].id]


def test_templates_speak_the_email_language_in_force_also_when_nested(app) -> None:  # type: ignore[no-untyped-def]
    # email_language hands its catalogue to the templates' gettext once; nesting another
    # email_language switches it, leaving restores it, and outside the default is back.
    from types import SimpleNamespace

    from flask import render_template_string

    from webapp.i18n import email_language

    def words() -> str:
        return render_template_string('{{ _("Something went wrong.") }}')

    french, german = SimpleNamespace(locale="fr"), SimpleNamespace(locale="de")
    with email_language(french):
        assert words() == "Quelque chose s’est mal passé."
        with email_language(german):
            assert words() == "Etwas ist schiefgelaufen."
        assert words() == "Quelque chose s’est mal passé."
    assert words() == "Something went wrong."
