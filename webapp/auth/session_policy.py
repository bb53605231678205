"""Session lifetime rules (issue 8, ASVS V7): a fresh session at every login (nothing from
before login survives, so a planted session cannot be fixed on a victim), an idle timeout
and an absolute timeout for ordinary sessions, and at most `REMEMBER_COOKIE_DURATION`
(30 days) for remembered ones. Timestamps live in the signed session cookie; revocation on
logout and password change is the member's `session_token` rotation (see `load_member`).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, current_app, request, session
from flask_login import current_user, logout_user, user_logged_in

from webapp.members.joining import PENDING_INVITE

log = logging.getLogger(__name__)

LOGIN_AT, SEEN_AT = "login_at", "seen_at"


#: What a visitor may carry into their logged-in session: an invitation they followed
#: before signing up or logging in (only a code, which joining checks again).
CARRIED_OVER = (PENDING_INVITE,)


def start_fresh_session() -> None:
    """Drop what the pre-login session held (but an invite code); call before `login_user`."""
    kept = {key: session[key] for key in CARRIED_OVER if key in session}
    session.clear()
    session.update(kept)


def _record_login(_app: Flask, user: object, **_extra: object) -> None:
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def _expired(app: Flask, now: int) -> str | None:
    """Why the current session has run out, or None."""
    login_at = int(session.get(LOGIN_AT) or now)
    seen_at = int(session.get(SEEN_AT) or now)
    remembered = request_remembered()
    absolute = (
        app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
        if remembered
        else app.config["SESSION_ABSOLUTE_TIMEOUT_MINUTES"] * 60
    )
    if now - login_at > absolute:
        return "absolute timeout"
    if not remembered and now - seen_at > app.config["SESSION_IDLE_TIMEOUT_MINUTES"] * 60:
        return "idle timeout"
    return None


def request_remembered() -> bool:
    """True when the member ticked "remember me" at login (Flask-Login's cookie exists)."""
    return current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies


def init_app(app: Flask) -> None:
    """Defaults for the timeouts, the login signal and the per-request check."""
    app.config.setdefault("SESSION_IDLE_TIMEOUT_MINUTES", 60)
    app.config.setdefault("SESSION_ABSOLUTE_TIMEOUT_MINUTES", 12 * 60)
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=30))
    app.config.setdefault("REMEMBER_COOKIE_NAME", "remember_token")
    user_logged_in.connect(_record_login, app)

    @app.before_request
    def enforce_session_timeouts() -> None:
        if "_user_id" not in session or not current_user.is_authenticated:
            return
        now = int(time.time())
        if LOGIN_AT not in session:  # restored from the remember-me cookie
            _record_login(app, current_user)
        reason = _expired(app, now)
        if reason:
            log.info("session of member %s ended: %s", current_user.id, reason)
            logout_user()
            session.pop(LOGIN_AT, None)
            session.pop(SEEN_AT, None)
            return
        if now - int(session.get(SEEN_AT) or 0) >= 60:  # refresh at most once a minute
            session[SEEN_AT] = now
