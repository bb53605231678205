"""Finds words in templates that are not marked for translation.

A template's words must come from `_()`/`gettext` calls, `{% trans %}` blocks or variables.
The scanner lexes a template with Jinja's own lexer, drops everything a translation call,
a trans block, a comment or a statement produces, puts a placeholder where each `{{ ... }}`
stands, and then reads what is left as HTML (for .html) or as plain text (for .txt): any text
node, or visible attribute (`title`, `alt`, `placeholder`, `aria-label`), with a letter in
it is reported. Only the brand name "Hearth" may stand unmarked; punctuation, digits and
symbols (·, ←, ✓) need no translation. Text inside <script>, <style> and <code> is not
prose and is skipped.

Not covered: string literals inside `{{ ... }}` that are not translated (for instance a
filter's default text); keep such words in `_()` or in the view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from jinja2 import Environment

#: What may appear unmarked: the brand name.
ALLOWED_WORDS = re.compile(r"\bHearth\b")
#: Any letter, in any script.
LETTER = re.compile(r"[^\W\d_]")
#: Stands where a `{{ ... }}` was: not a letter, so it never counts as a word.
PLACEHOLDER = "\u2063"
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
SKIPPED_ELEMENTS = {"script", "style", "code"}


@dataclass(frozen=True)
class Unmarked:
    """A piece of visible text with words that no translation call produces."""

    template: str
    line: int
    text: str


def visible_source(source: str, env: Environment | None = None) -> list[tuple[int, str]]:
    """The template's literal text with its line numbers, minus what Jinja generates:
    statements, comments and `{% trans %}` blocks vanish, each `{{ ... }}` is a placeholder."""
    env = env or Environment(extensions=["jinja2.ext.i18n"])
    pieces: list[tuple[int, str]] = []
    in_trans = 0
    in_block = False
    block_words: list[str] = []
    for lineno, kind, value in env.lex(source):
        if kind == "block_begin":
            in_block, block_words = True, []
        elif kind == "block_end":
            in_block = False
            if block_words[:1] == ["trans"]:
                in_trans += 1
            elif block_words[:1] == ["endtrans"]:
                in_trans -= 1
        elif in_block and kind == "name":
            block_words.append(value)
        elif kind == "variable_begin" and not in_trans:
            pieces.append((lineno, PLACEHOLDER))
        elif kind == "data" and not in_trans:
            pieces.append((lineno, value))
    return pieces


class _TextCollector(HTMLParser):
    """Text nodes and visible attribute values of an HTML fragment, with their lines."""

    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.found: list[tuple[int, str]] = []
        self.skipping: list[str] = []

    def _line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append((self._line(), value))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.found.append((self._line(), data))


def has_words(text: str) -> bool:
    """True if text still has a letter once the allowed words are removed."""
    return bool(LETTER.search(ALLOWED_WORDS.sub("", text)))


def unmarked_text(name: str, source: str, env: Environment | None = None) -> list[Unmarked]:
    """Every piece of visible text in a template that has words no gettext call produced."""
    pieces = visible_source(source, env)
    if not pieces:
        return []
    first_line = pieces[0][0]
    joined = "".join(text for _, text in pieces)
    if name.endswith(".html"):
        collector = _TextCollector(first_line)
        collector.feed(joined)
        collector.close()
        found = collector.found
    else:  # plain-text emails: every line is visible
        found = [(first_line + i, line) for i, line in enumerate(joined.split("\n"))]
    return [
        Unmarked(name, line, " ".join(text.replace(PLACEHOLDER, "…").split()))
        for line, text in found
        if has_words(text)
    ]
