"""Sign-up, log-in and log-out, password reset and account settings."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.record_once
def _session_policy(state) -> None:  # type: ignore[no-untyped-def]
    """Session timeouts and fresh-session-at-login for the whole app."""
    from webapp.auth import session_policy

    session_policy.init_app(state.app)


from webapp.auth import account, privacy, routes  # noqa: E402,F401
