"""Views for a community's organizers."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.members.forms import EmptyForm
from webapp.models import Role
from webapp.organizer import bp
from webapp.organizer.forms import MeetupForm
from webapp.services import communities, metrics
from webapp.services.errors import ServiceError
from webapp.services.meetups import SlotSpec, schedule_meetup
from webapp.views import meetup_of, organized_community_or_403, show_service_error


@bp.route("/<slug>")
@login_required
def dashboard(slug: str) -> str:
    """Counts per meetup: members, opted in, matched, emails sent."""
    community = organized_community_or_403(slug)
    return render_template(
        "organizer/dashboard.html",
        community=community,
        members=metrics.member_count(community),
        counts=metrics.meetup_counts(community),
    )


@bp.route("/<slug>/meetups/new", methods=["GET", "POST"])
@login_required
def new_meetup(slug: str) -> str | Response:
    """Schedule a meetup with one to three slots."""
    community = organized_community_or_403(slug)
    form = MeetupForm()
    if form.validate_on_submit():
        specs = [
            SlotSpec(
                row.starts_at.data,
                row.venue_name.data or "",
                row.address.data or "",
                row.capacity.data or 30,
            )
            for row in form.slots
            if row.starts_at.data
        ]
        try:
            meetup = schedule_meetup(
                community,
                title=form.title.data,
                optin_deadline_local=form.optin_deadline.data,
                slots=specs,
                group_min=form.group_min.data,
                group_max=form.group_max.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"{meetup.title} is scheduled; members can opt in now.", "success")
            return redirect(url_for("organizer.meetup", slug=slug, meetup_id=meetup.id))
    return render_template("organizer/new_meetup.html", community=community, form=form), (
        400 if form.errors else 200
    )


@bp.route("/<slug>/meetups/<int:meetup_id>")
@login_required
def meetup(slug: str, meetup_id: int) -> str:
    """A meetup's slots, opt-ins and groups, with the Match now button."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    return render_template(
        "organizer/meetup.html", community=community, meetup=found, form=EmptyForm()
    )


@bp.route("/<slug>/meetups/<int:meetup_id>/match", methods=["POST"])
@login_required
def match_now(slug: str, meetup_id: int) -> Response:
    """Queue the matching task for this meetup now, without waiting for the deadline."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    from worker.tasks import run_matching_round

    run_matching_round.delay(found.id)
    flash("Matching has started; the groups appear here in a moment.", "info")
    return redirect(url_for("organizer.meetup", slug=slug, meetup_id=found.id))


@bp.route("/mail")
@login_required
def caught_mail() -> str:
    """Emails caught by the demo's local mail catcher (only when one is configured)."""
    folder = current_app.config.get("MAIL_CATCHER_DIR")
    organizes = any(role == Role.ORGANIZER for _, role in communities.communities_of(current_user))
    if not folder or not organizes:
        abort(404)
    files = sorted(Path(folder).glob("*.eml"), reverse=True)[:200]
    mails = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    return render_template("organizer/mail.html", mails=mails)
