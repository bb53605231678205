"""Languages the pages and emails speak: Flask-Babel set up once for the whole app.

The locale of a request is the signed-in member's chosen language when they chose one,
else the best match for the browser's Accept-Language, else English. Emails are rendered
inside `email_language(member, community)`: the member's language, else their community's
default, else English. Catalogues live in webapp/translations/<lang>/LC_MESSAGES/messages.po
(compiled .mo beside; `babel.cfg` at the repository root says what is extracted).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

#: Languages with a complete catalogue; English is the source language.
SUPPORTED_LOCALES = ("en", "fr", "es", "de")
DEFAULT_LOCALE = "en"
#: Each language under its own name, as the language pickers show it.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def select_locale() -> str:
    """The member's own choice, else the browser's preference, else English.

    A page reached from a link in an email (`speak_to`) speaks its owner's language instead.

    Outside a request (a worker rendering an email) it is English unless the caller forced
    a language with `email_language`.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    owner = g.get("owner_locale")
    if owner in SUPPORTED_LOCALES:
        return str(owner)
    chosen = getattr(current_user, "locale", None) if current_user else None
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


def current_language() -> str:
    """The language code in force now ("en" when none is)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def recipient_language(member: Any, community: Any = None) -> str | None:
    """The language of an email to this member: theirs, else the community's default.

    None when neither is set: the caller keeps the language already in force (English in a
    worker; the browser's during the request that caused an account email).
    """
    for choice in (getattr(member, "locale", None), getattr(community, "default_locale", None)):
        if choice in SUPPORTED_LOCALES:
            return str(choice)
    return DEFAULT_LOCALE if community is not None else None


#: The catalogue `email_language` put in force, for the templates' gettext (see there).
_EMAIL_TRANSLATIONS: ContextVar[Any] = ContextVar("email_translations", default=None)


@contextmanager
def email_language(member: Any, community: Any = None) -> Iterator[str]:
    """Render what is inside (subject, bodies, calendar text) in the recipient's language.

    The catalogue is looked up once here and handed to the templates' gettext: Flask-Babel
    finds it anew on every `_()` of a template (context, locale, cache: ~26 lookups per
    match email, a sixth of the time to queue one). Inside, switch language again with
    `email_language`, not `force_locale`, which the templates would not see.
    """
    language = recipient_language(member, community)
    if language is None:
        yield current_language()
        return
    with force_locale(language):
        token = _EMAIL_TRANSLATIONS.set(get_translations())
        try:
            yield language
        finally:
            _EMAIL_TRANSLATIONS.reset(token)


def _translations() -> Any:
    """The catalogue for a template's gettext: the email's, else Flask-Babel's."""
    return _EMAIL_TRANSLATIONS.get() or get_translations()


def owner_language(member: Any, community: Any = None) -> str | None:
    """The language a member's own pages reached without signing in (links in emails) use:
    the member's choice, else the community's default; None when neither is set."""
    for choice in (getattr(member, "locale", None), getattr(community, "default_locale", None)):
        if choice in SUPPORTED_LOCALES:
            return str(choice)
    return None


def speak_to(member: Any, community: Any = None) -> str:
    """Make the rest of this request speak the language of the member a page is for (the
    one-click pages of an email link, whoever opens them): their choice, else their
    community's default, else what the request would use anyway (the browser's)."""
    language = owner_language(member, community)
    if language is not None:
        g.owner_locale = language
        refresh()
    return current_language()


def language_choices(blank: object = None) -> list[SelectChoice]:
    """The choices of a language select (each language under its own name), optionally
    after a blank "not chosen"."""
    pairs = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]
    return [SelectChoice("", blank), *pairs] if blank is not None else pairs


def init_app(app: Flask) -> None:
    """Bind Babel (gettext in templates as `_`, `ngettext`) with Hearth's catalogues."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # as Flask-Babel's, through `_translations`
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `{% trans %}` blocks collapse their line breaks, as `babel.cfg` extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(current_language=current_language)


__all__ = [
    "SUPPORTED_LOCALES",
    "_l",
    "email_language",
    "language_choices",
    "recipient_language",
    "speak_to",
]
