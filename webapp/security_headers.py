"""Security headers on every response (issue 8, ASVS V3/V14).

A strict Content-Security-Policy (no inline scripts or styles, nothing from other origins,
no framing), `nosniff`, a privacy-preserving Referrer-Policy, and HSTS only when the app
runs behind HTTPS in production (`SECURE_COOKIES=1`), since HSTS on plain-HTTP development
hosts would lock browsers out of them.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(production: bool) -> dict[str, str]:
    """The headers every response carries; HSTS is added in production only."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if production:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def init_app(app: Flask) -> None:
    """Add the headers to every response, errors and static files included."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        production = bool(app.config.get("SESSION_COOKIE_SECURE"))
        for name, value in security_headers(production).items():
            response.headers.setdefault(name, value)
        return response
