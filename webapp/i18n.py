"""Languages the pages and emails speak: Flask-Babel set up once for the whole app.

The locale of a request is the signed-in member's chosen language when they chose one,
else the best match for the browser's Accept-Language, else English. Emails are rendered
inside `force_locale(...)` with the recipient's language (or their community's default).
Catalogues live in webapp/translations/<lang>/LC_MESSAGES/messages.po (compiled .mo beside).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import Babel
from flask_login import current_user

#: Languages with a complete catalogue; English is the source language.
SUPPORTED_LOCALES = ("en", "fr", "es", "de")
DEFAULT_LOCALE = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def select_locale() -> str:
    """The member's own choice, else the browser's preference, else English."""
    chosen = getattr(current_user, "locale", None) if current_user else None
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    """Bind Babel (gettext in templates as `_`, `ngettext`) with Hearth's catalogues."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
