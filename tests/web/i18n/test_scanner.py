"""The unmarked-text scanner finds words outside translation calls, and only those."""

from __future__ import annotations

from tests.web.i18n.scanner import unmarked_text


def texts(name: str, source: str) -> list[str]:
    return [found.text for found in unmarked_text(name, source)]


def test_plain_words_in_a_template_are_reported() -> None:
    assert texts("page.html", "<p>Hello there</p>") == ["Hello there"]


def test_words_around_a_variable_are_reported() -> None:
    assert texts("page.html", "<p>Hi {{ name }}, welcome</p>") == ["Hi …, welcome"]


def test_visible_attributes_are_read_but_not_urls_or_classes() -> None:
    source = (
        '<a href="/x" class="button big" aria-label="Remove it" title="{{ _(\'Ok\') }}">'
        '{{ _("Go") }}</a>'
    )
    assert texts("page.html", source) == ["Remove it"]


def test_gettext_calls_trans_blocks_and_statements_are_not_reported() -> None:
    source = """{% extends "base.html" %}{# a comment with words #}
{% block title %}{{ _('Log in') }}{% endblock %}
<p>{% trans url=url_for('x') %}New here? <a href="{{ url }}">Sign up</a>.{% endtrans %}</p>
<button>{% if a %}{{ _('Yes') }}{% else %}{{ gettext('No') }}{% endif %}</button>
<p>{{ n }} · ← ✓ 42%, Hearth</p>"""
    assert texts("page.html", source) == []


def test_an_unmarked_word_next_to_marked_ones_is_still_found() -> None:
    source = "<p>{{ _('Opt in by %(d)s.', d=x) }} Times in {{ tz }}.</p>"
    assert texts("page.html", source) == ["… Times in …."]


def test_text_emails_are_read_line_by_line() -> None:
    source = "{{ _('Hi %(name)s,', name=n) }}\n\nSee you soon!\nHearth\n"
    found = unmarked_text("mail.txt", source)
    assert [(f.line, f.text) for f in found] == [(3, "See you soon!")]


def test_script_style_and_code_are_not_prose() -> None:
    source = "<script>var words = 1;</script><style>p { color: red }</style><code>/api/v1</code>"
    assert texts("page.html", source) == []
