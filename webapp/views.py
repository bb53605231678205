"""Small helpers shared by the blueprints' views."""

from __future__ import annotations

from flask import abort, flash
from flask_login import current_user
from flask_wtf import FlaskForm

from webapp.extensions import db
from webapp.models import Community, Meetup, Role
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError


def show_service_error(form: FlaskForm | None, error: ServiceError) -> None:
    """Put a service's message next to its field when the form has it, else flash it."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def community_or_404(slug: str) -> Community:
    """The community with this URL name, or a 404."""
    community = db.session.query(Community).filter_by(slug=slug).one_or_none()
    if community is None:
        abort(404)
    return community


def organized_community_or_403(slug: str) -> Community:
    """The community if the current member organises it; 404 if unknown, 403 otherwise."""
    community = community_or_404(slug)
    if role_of(current_user, community) != Role.ORGANIZER:
        abort(403)
    return community


def meetup_of(community: Community, meetup_id: int) -> Meetup:
    """A meetup of this community, or a 404 (never one of another community)."""
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None or meetup.community_id != community.id:
        abort(404)
    return meetup
