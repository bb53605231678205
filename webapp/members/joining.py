"""Views for invite links, leaving a community, and pausing matching."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.members import bp
from webapp.members.forms import EmptyForm, PauseForm
from webapp.models import Community, Member
from webapp.services import joining, pauses
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError
from webapp.templating import format_when
from webapp.views import community_or_404, show_service_error

PENDING_INVITE = "pending_invite"


@bp.route("/join/<code>")
def invite(code: str) -> str | Response:
    """An invite link: join with one click, or sign up first (the invite is remembered)."""
    community = joining.community_for_invite(code)
    if community is None:
        return render_template("members/invite_invalid.html"), 404
    if current_user.is_authenticated and role_of(current_user, community):
        return redirect(url_for("members.community", slug=community.slug))
    if not current_user.is_authenticated:
        session[PENDING_INVITE] = code
    return render_template("members/invite.html", community=community, code=code, form=EmptyForm())


@bp.route("/join/<code>", methods=["POST"])
@login_required
def accept_invite(code: str) -> Response:
    """Join the invite's community."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        community, _ = joining.join_by_invite(current_user, code)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("members.home"))
    flash(gettext("Welcome to %(name)s!", name=community.name), "success")
    return redirect(url_for("members.community", slug=community.slug))


def accept_pending_invite(member: Member) -> Community | None:
    """After sign-up or log-in: join the community whose invite link brought them here."""
    code = session.pop(PENDING_INVITE, None)
    if not code:
        return None
    try:
        community, joined = joining.join_by_invite(member, code)
    except ServiceError:
        return None
    if joined:
        flash(gettext("You joined %(name)s.", name=community.name), "success")
    return community


@bp.route("/c/<slug>/leave", methods=["POST"])
@login_required
def leave(slug: str) -> Response:
    """Leave a community (its open opt-ins are withdrawn)."""
    community = community_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        joining.leave(current_user, community)
    except ServiceError as error:
        show_service_error(None, error)
        return redirect(url_for("members.community", slug=slug))
    flash(gettext("You left %(name)s.", name=community.name), "info")
    return redirect(url_for("members.home"))


@bp.route("/me/pause", methods=["POST"])
@login_required
def pause() -> Response:
    """Pause all matching for a few weeks."""
    form = PauseForm()
    if not form.validate_on_submit():
        flash(gettext("Please choose how many weeks to pause for."), "error")
        return redirect(url_for("members.home"))
    withdrawn = pauses.pause(current_user, int(form.weeks.data))
    until = format_when(current_user.paused_until, "date_long")
    message = gettext("Matching is paused until %(date)s.", date=until)
    if withdrawn:
        message += " " + ngettext(
            "We took you out of %(num)s open meetup.",
            "We took you out of %(num)s open meetups.",
            withdrawn,
        )
    flash(message, "info")
    return redirect(url_for("members.home"))


@bp.route("/me/resume", methods=["POST"])
@login_required
def resume() -> Response:
    """End the pause now."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    pauses.resume(current_user)
    flash(gettext("Welcome back! You can opt in to meetups again."), "success")
    return redirect(url_for("members.home"))
