"""Member pages: landing, home, profile, communities and opt-ins."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from webapp.members import routes  # noqa: E402,F401
