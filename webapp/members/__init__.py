"""Member pages: landing, home, profile, communities, rounds, groups, feedback, privacy."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from webapp.members import group_views, joining, profile, routes  # noqa: E402,F401
