"""Languages as ISO 639-1 codes: what a member types ("Spanish", "es", "Español") becomes
the code the matching engine compares ("es").

The list ships in `webapp/data/languages.txt` (nothing is fetched at run time). Members
type names or codes in any case; profiles store codes, so "English" and "en" are the same
language when the engine looks for a language every member of a group speaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from flask_babel import gettext, ngettext

from webapp.services.errors import ServiceError

LANGUAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "languages.txt"
#: The most languages one member lists.
MAX_LANGUAGES = 10


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """(code -> English name, lower-cased code or name -> code), read once."""
    names: dict[str, str] = {}
    lookup: dict[str, str] = {}
    for line in LANGUAGES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, aliases = line.partition("\t")
        spelled = [a.strip() for a in aliases.split(";") if a.strip()]
        names[code] = spelled[0]
        lookup[code] = code
        for alias in spelled:
            lookup[alias.lower()] = code
    return names, lookup


def all_languages() -> dict[str, str]:
    """Every known code with its English name, in code order."""
    return dict(_table()[0])


def name_of(code: str) -> str:
    """The English name of a code ("es" -> "Spanish"); the text itself if it is no code."""
    return _table()[0].get(code, code)


def code_for(text: str) -> str | None:
    """The code a typed name or code stands for (case and spaces ignored; "en-GB" -> "en"),
    or None when it is no language we know."""
    key = " ".join(str(text).lower().split())
    lookup = _table()[1]
    if key in lookup:
        return lookup[key]
    base = key.replace("_", "-").split("-")[0]
    return base if len(base) == 2 and base in _table()[0] else None


def to_codes(raw: Iterable[str]) -> list[str]:
    """The codes of typed languages, first-seen order, duplicates dropped; a ServiceError
    naming every language we do not know (or listing too many)."""
    codes: dict[str, None] = {}
    unknown: list[str] = []
    for item in raw:
        text = " ".join("".join(c for c in str(item) if c.isprintable()).split())
        if not text:
            continue
        code = code_for(text)
        if code is None:
            unknown.append(text if len(text) <= 40 else text[:40] + "...")
        else:
            codes.setdefault(code, None)
    if unknown:
        listed = ", ".join(f"“{u}”" for u in unknown[:5])
        raise ServiceError(
            ngettext(
                "We don't know the language %(names)s. Please use the English name or the "
                "two-letter code, e.g. Spanish or es.",
                "We don't know the languages %(names)s. Please use the English name or the "
                "two-letter code, e.g. Spanish or es.",
                len(unknown),
                names=listed,
            ),
            field="languages",
        )
    if len(codes) > MAX_LANGUAGES:
        raise ServiceError(
            gettext("Please pick at most %(most)s languages.", most=MAX_LANGUAGES),
            field="languages",
        )
    return list(codes)


def known_codes(values: Iterable[str]) -> list[str]:
    """The stored values that are codes we know (a profile saved before codes may still
    hold free text the migration could not map; matching leaves that out)."""
    names = _table()[0]
    return [v for v in values if v in names]
