"""Security headers on every route (issue 8, item 8): CSP without inline code, no framing,
nosniff, Referrer-Policy; HSTS only in the production configuration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.security.route_walk import all_routes, fill, parameter_values
from webapp import create_app

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
ROUTES = all_routes(create_app())


def _assert_secure_headers(response, production: bool = False) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert ("Strict-Transport-Security" in response.headers) is production


def test_the_walk_covers_the_whole_route_map() -> None:
    assert len(ROUTES) >= 50
    assert {"auth.login", "members.home", "organizer.dashboard", "links.one_click"} <= {
        route.endpoint for route in ROUTES
    }


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.endpoint)
def test_every_route_answers_with_security_headers(seeded, route) -> None:  # type: ignore[no-untyped-def]
    url = fill(route.rule, parameter_values(seeded.slug, seeded.meetup_id))
    for who in ("anonymous", "organizer"):
        client = seeded.clients[who]
        # GET where the route has one; otherwise a POST (refused for its missing CSRF token).
        response = client.get(url) if "GET" in route.methods else client.post(url)
        assert response.status_code < 500, (who, url, response.status_code)
        response.close()
        _assert_secure_headers(response)


def test_errors_and_static_files_carry_the_headers_too(client) -> None:  # type: ignore[no-untyped-def]
    _assert_secure_headers(client.get("/no/such/page"))
    static = client.get("/static/hearth.css")
    static.close()
    _assert_secure_headers(static)
    _assert_secure_headers(client.post("/login", data={}))


def test_hsts_only_in_production(app, make_app) -> None:  # type: ignore[no-untyped-def]
    production = make_app({"TESTING": True, "SESSION_COOKIE_SECURE": True})
    _assert_secure_headers(production.test_client().get("/login"), production=True)
    _assert_secure_headers(app.test_client().get("/login"), production=False)
    hsts = production.test_client().get("/").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_web_templates_hold_no_inline_script_or_style() -> None:
    """The CSP would block them; emails (not served under the CSP) may use inline styles."""
    pages = [p for p in TEMPLATES.rglob("*.html") if "email" not in p.relative_to(TEMPLATES).parts]
    assert len(pages) >= 10
    problems = [
        f"{page.relative_to(TEMPLATES)}: {what}"
        for page in pages
        for pattern, what in INLINE_CODE
        if pattern.search(page.read_text())
    ]
    assert problems == []
