"""Every visible template string is marked for translation, and every catalogue has every
marked string, translated, with its placeholders intact and its compiled .mo up to date.

The message template is extracted afresh from the sources (`babel.cfg`), so a string added
to a template or a view without a translation fails here, not in front of a reader.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.web.i18n.scanner import unmarked_text
from webapp.i18n import SUPPORTED_LOCALES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
LANGUAGES = [code for code in SUPPORTED_LOCALES if code != "en"]
PLACEHOLDERS = re.compile(r"%\(\w+\)s")


def template_names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.suffix in {".html", ".txt"}
    )


@pytest.mark.parametrize("name", template_names())
def test_every_template_word_is_marked_for_translation(name: str) -> None:
    found = unmarked_text(name, (TEMPLATES / name).read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{f.template}:{f.line}: {f.text!r}" for f in found)


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):  # type: ignore[no-untyped-def]
    """messages.pot extracted now from the sources, as a translator would."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_extracted_string(fresh_template, language: str) -> None:  # type: ignore[no-untyped-def]
    catalogue = _catalogue(language)
    problems = []
    for message in fresh_template:
        if not message.id:
            continue
        found = catalogue.get(message.id)
        forms = found.string if found is not None else None
        forms = forms if isinstance(forms, tuple) else (forms,)
        if found is None or not all(forms):
            problems.append(f"untranslated: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        else:
            source = message.id if isinstance(message.id, str) else message.id[0]
            wanted = set(PLACEHOLDERS.findall(source))
            for form in forms:
                if set(PLACEHOLDERS.findall(form)) != wanted:
                    problems.append(f"placeholders differ: {message.id!r} -> {form!r}")
    assert not problems, f"{language}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_po(language: str) -> None:
    """The committed .mo is what `pybabel compile` makes of the .po (run it after editing)."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for message in _catalogue(language):
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n, form in enumerate(message.string):
                if compiled.get((message.id[0], n)) != form:
                    stale.append(message.id[0])
        elif compiled.get(message.id) != message.string:
            stale.append(message.id)
    assert not stale, f"{language}: messages.mo is stale; run pybabel compile ({stale[:5]})"
