"""Sign-up, log-in and log-out, password reset and account settings."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import account, privacy, routes  # noqa: E402,F401
