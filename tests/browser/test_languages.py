"""Sign-up to opt-in in a real browser speaking French, then Spanish: every label, button,
flash, email and date the newcomer meets is in their language. Screenshots of each step are
kept in `HEARTH_TEST_ARTIFACTS` (default: test-artifacts/ at the repository root)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from tests.browser.journey import community_world, deliver_pending, link_from, member
from webapp.templating import PART_NAMES, weekday_names


def artifacts_dir() -> Path:
    """Where screenshots go: $HEARTH_TEST_ARTIFACTS, else test-artifacts/ at the repo root."""
    default = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder = Path(os.environ.get("HEARTH_TEST_ARTIFACTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Words:
    """What the newcomer reads and clicks, in one language."""

    browser: str
    sign_up: str
    name: str
    email: str
    password: str
    create: str
    check_email: str
    subject: str
    confirmed: str
    profile: str
    interests: str
    language: str
    save_profile: str
    saved: str
    join: str
    welcome: str
    my_page: str
    opt_in: str
    opt_in_button: str
    opted_in: str
    venue: str


FRENCH = Words(
    browser="fr-FR",
    sign_up="S’inscrire",
    name="Comment devons-nous vous appeler ?",
    email="E-mail",
    password="Mot de passe (au moins 8 caractères)",
    create="Créer mon compte",
    check_email="Consultez vos e-mails",
    subject="Confirmez votre e-mail pour Hearth",
    confirmed="Votre adresse est confirmée.",
    profile="Mon profil",
    interests="Centres d’intérêt, séparés par des virgules",
    language="Langue",
    save_profile="Enregistrer mon profil",
    saved="Votre profil est enregistré.",
    join="Rejoindre Harbour Friends",
    welcome="Bienvenue dans Harbour Friends !",
    my_page="Ma page",
    opt_in="M’inscrire",
    opt_in_button="M’inscrire pour les horaires cochés",
    opted_in="Vous êtes inscrit à First round.",
    venue="à Café Anker",
)
SPANISH = Words(
    browser="es-ES",
    sign_up="Registrarse",
    name="¿Cómo quieres que te llamemos?",
    email="Correo",
    password="Contraseña (al menos 8 caracteres)",
    create="Crear mi cuenta",
    check_email="Revisa tu correo",
    subject="Confirma tu correo para Hearth",
    confirmed="Tu dirección está confirmada.",
    profile="Mi perfil",
    interests="Intereses, separados por comas",
    language="Idioma",
    save_profile="Guardar mi perfil",
    saved="Tu perfil está guardado.",
    join="Unirme a Harbour Friends",
    welcome="¡Te damos la bienvenida a Harbour Friends!",
    my_page="Mi página",
    opt_in="Apuntarme",
    opt_in_button="Apuntarme en los horarios marcados",
    opted_in="Estás apuntado a First round.",
    venue="en Café Anker",
)


@pytest.mark.parametrize("words", [FRENCH, SPANISH], ids=["fr", "es"])
def test_sign_up_to_opt_in_in_the_browser_language(  # type: ignore[no-untyped-def]
    app, live_server, browser, smtp_server, words: Words
):
    community, meetup, code, (weekday, part) = community_world()
    language = words.browser[:2]
    with app.test_request_context(), force_locale(language):
        day = weekday_names()[weekday][0]
        grid_label = f"{day} {str(PART_NAMES[part]).lower()}"
    shots = artifacts_dir()
    context = browser.new_context(locale=words.browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server + "/communities")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.get_by_role("link", name=words.sign_up, exact=True).click()
        page.get_by_label(words.name).fill("Sam Doe")
        page.get_by_label(words.email, exact=True).fill("sam@example.org")
        page.get_by_label(words.password).fill("a long enough passphrase")
        page.screenshot(path=str(shots / f"languages-{language}-1-sign-up.png"), full_page=True)
        page.get_by_role("button", name=words.create).click()
        expect(page.get_by_role("heading", name=words.check_email)).to_be_visible()

        deliver_pending(app, smtp_server)
        [mail] = smtp_server.wait_for(1)
        assert mail["Subject"] == words.subject
        page.goto(link_from(mail, "/confirm/"))
        expect(page.get_by_text(words.confirmed)).to_be_visible()
        expect(page.get_by_role("heading", name=words.profile)).to_be_visible()

        page.get_by_label(words.interests).fill("Bouldering, sci-fi")
        page.get_by_label(grid_label, exact=True).check()
        page.get_by_label(words.language, exact=True).select_option(language)
        page.screenshot(path=str(shots / f"languages-{language}-2-profile.png"), full_page=True)
        page.get_by_role("button", name=words.save_profile).click()
        expect(page.get_by_text(words.saved)).to_be_visible()
        assert member("sam@example.org").locale == language

        page.goto(f"{live_server}/join/{code}")
        page.get_by_role("button", name=words.join).click()
        expect(page.get_by_text(words.welcome)).to_be_visible()
        page.get_by_role("link", name=words.my_page, exact=True).click()
        page.get_by_role("link", name=words.opt_in, exact=True).click()
        slot = page.get_by_role("checkbox", name=words.venue)
        expect(slot).to_be_checked()  # ticked from the grid chosen in this language
        with app.test_request_context(), force_locale(language):
            from webapp.templating import format_when
            from webapp.timeutil import to_local

            when = format_when(to_local(meetup.slots[0].starts_at, community.timezone), "day_time")
        expect(page.get_by_text(when)).to_be_visible()  # the date in this language
        page.screenshot(path=str(shots / f"languages-{language}-3-opt-in.png"), full_page=True)
        page.get_by_role("button", name=words.opt_in_button).click()
        expect(page.get_by_text(words.opted_in)).to_be_visible()
        page.screenshot(path=str(shots / f"languages-{language}-4-home.png"), full_page=True)
    finally:
        context.close()
    for step in ("1-sign-up", "2-profile", "3-opt-in", "4-home"):
        assert (shots / f"languages-{language}-{step}.png").stat().st_size > 10_000
