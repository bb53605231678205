"""One-click actions from emails (/l/...): signed links that work without logging in."""

from flask import Blueprint

from webapp.extensions import csrf

bp = Blueprint("links", __name__, url_prefix="/l")
# The signed token in the URL is what protects these POSTs: it is specific to one member,
# one meetup and one action, and a cross-site attacker cannot know it.
csrf.exempt(bp)

from webapp.links import routes  # noqa: E402,F401
