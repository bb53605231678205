"""Views for members: landing, home, communities, opting in and out."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.members import bp
from webapp.members.forms import CommunityForm, EmptyForm, PauseForm
from webapp.models import Community, Meetup
from webapp.services import communities, community_search, groups, optins, pauses, profiles
from webapp.services.errors import ServiceError
from webapp.views import community_or_404, show_service_error


@bp.route("/")
def landing() -> str | Response:
    """The front page: what happens, how groups are made, the communities one can join
    (searched with `?q=`, paged with `?page=`) and privacy; members go straight home."""
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    found = community_search.search(request.args.get("q"), request.args.get("page", 1, type=int))
    return render_template("members/landing.html", found=found)


@bp.route("/me")
@login_required
def home() -> str:
    """The member's communities, upcoming meetups and groups."""
    return render_template(
        "members/home.html",
        communities=communities.communities_of(current_user),
        upcoming=optins.upcoming_for(current_user),
        my_groups=groups.group_cards(current_user),
        complete=profiles.profile_complete(current_user),
        paused=pauses.is_paused(current_user),
        form=EmptyForm(),
        pause_form=PauseForm(),
    )


@bp.route("/communities")
def community_list() -> str:
    """Every community, to browse and join."""
    rows = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render_template("members/communities.html", communities=rows)


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new_community() -> str | Response:
    """Start a community; its creator becomes its organizer."""
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            community = communities.create_community(
                current_user, form.name.data, form.description.data or "", form.timezone.data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(
                gettext("%(name)s is ready. Schedule its first meetup.", name=community.name),
                "success",
            )
            return redirect(url_for("organizer.dashboard", slug=community.slug))
    return render_template("members/new_community.html", form=form), 400 if form.errors else 200


@bp.route("/c/<slug>")
def community(slug: str) -> str:
    """A community's public page, with a join button and its open meetups."""
    found = community_or_404(slug)
    role = communities.role_of(current_user, found)
    return render_template("members/community.html", community=found, role=role, form=EmptyForm())


@bp.route("/c/<slug>/join", methods=["POST"])
@login_required
def join(slug: str) -> Response:
    """Join a community."""
    found = community_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if communities.join(current_user, found):
        flash(gettext("You joined %(name)s.", name=found.name), "success")
    return redirect(url_for("members.community", slug=slug))


def _meetup_of_mine(meetup_id: int) -> Meetup:
    """A meetup of one of the member's communities, or a 404."""
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None or communities.role_of(current_user, meetup.community) is None:
        abort(404)
    return meetup


@bp.route("/meetups/<int:meetup_id>/opt-in", methods=["GET", "POST"])
@login_required
def opt_in(meetup_id: int) -> str | Response | tuple[str, int]:
    """Opt in for the times the member can make: the page lists the meetup's times, marked
    with whether the weekly grid covers each and whether the venue is within reach, ticked
    from the grid (or from earlier picks). A POST without the page's ticks (`times` absent,
    e.g. an older page's one-click button) lets the grid decide."""
    meetup = _meetup_of_mine(meetup_id)
    form = EmptyForm()
    picks = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            if request.form.get("times"):
                picks = optins.parse_slot_ids(request.form.getlist("slots"))
            new = optins.opt_in(current_user, meetup, picks)
        except optins.NoTimeError as error:
            flash(error.message, "error")
        except ServiceError as error:
            show_service_error(None, error)
            return redirect(url_for("members.home"))
        else:
            if new:
                flash(
                    gettext(
                        "You're in for %(title)s. We'll email your group after the deadline.",
                        title=meetup.title,
                    ),
                    "success",
                )
            elif picks is not None:
                flash(gettext("Your times for %(title)s are saved.", title=meetup.title), "success")
            else:
                flash(gettext("You're already in for %(title)s.", title=meetup.title), "info")
            return redirect(url_for("members.home"))
    elif not optins.is_open_for_optin(meetup):
        flash(gettext("Opt-in for this meetup has closed."), "info")
        return redirect(url_for("members.home"))
    page = render_template(
        "members/opt_in.html",
        meetup=meetup,
        choices=optins.slot_choices(current_user, meetup, picks),
        opted=optins.is_opted_in(current_user, meetup),
        has_grid=bool(profiles.free_windows(current_user)),
        form=form,
    )
    return (page, 400) if request.method == "POST" else page


@bp.route("/meetups/<int:meetup_id>/opt-out", methods=["POST"])
@login_required
def opt_out(meetup_id: int) -> Response:
    """Withdraw from a meetup with one click."""
    meetup = _meetup_of_mine(meetup_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        optins.opt_out(current_user, meetup)
    except ServiceError as error:
        show_service_error(None, error)
    else:
        flash(gettext("You're out of %(title)s.", title=meetup.title), "info")
    return redirect(url_for("members.home"))
