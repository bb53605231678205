"""Organizer pages: dashboard, scheduling meetups, matching, caught demo mail."""

from flask import Blueprint

bp = Blueprint("organizer", __name__, url_prefix="/organize")

from webapp.organizer import (  # noqa: E402,F401
    community_routes,
    compat_routes,
    dashboard_routes,
    routes,
)
