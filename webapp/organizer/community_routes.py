"""Organizer pages for the community itself: settings, tags, areas, invite link,
co-organizers, API tokens, the audit log, and messages to a meetup's members."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.api.forms import ApiTokenForm, RevokeApiTokenForm
from webapp.organizer import bp
from webapp.organizer.forms import (
    AreaForm,
    CommunitySettingsForm,
    CoOrganizerForm,
    EmptyForm,
    MergeTagsForm,
    MessageForm,
)
from webapp.services import api_tokens, audit, communities, messaging, places
from webapp.services.errors import ServiceError
from webapp.views import meetup_of, organized_community_or_403, show_service_error


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str) -> str | Response | tuple[str, int]:
    """Name, description, city, time zone and interest tags; invite link; co-organizers."""
    community = organized_community_or_403(slug)
    form = CommunitySettingsForm(obj=community)
    if request.method == "GET":
        form.default_locale.data = community.default_locale or "en"
        form.interest_tags.data = ", ".join(community.interest_tags or [])
    if form.validate_on_submit():
        try:
            communities.update_settings(
                community,
                current_user,
                name=form.name.data,
                description=form.description.data or "",
                city=form.city.data or "",
                timezone=form.timezone.data,
                interest_tags=(form.interest_tags.data or "").split(","),
                default_locale=form.default_locale.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("organizer.settings", slug=slug))
    return _settings_page(community, form=form), 400 if request.method == "POST" else 200


def _settings_page(community, **forms) -> str:  # type: ignore[no-untyped-def]
    if "form" not in forms:
        forms["form"] = CommunitySettingsForm(obj=community)
        forms["form"].default_locale.data = community.default_locale or "en"
    forms.setdefault("merge", MergeTagsForm())
    forms.setdefault("co_organizer", CoOrganizerForm())
    forms.setdefault("area", AreaForm())
    forms.setdefault("api_token", ApiTokenForm())
    new_token = forms.pop("new_token", None)
    return render_template(
        "organizer/settings.html",
        community=community,
        organizers=communities.organizers_of(community),
        tokens=api_tokens.organizer_tokens(community),
        new_token=new_token,
        button=EmptyForm(),
        **forms,
    )


@bp.route("/<slug>/settings/merge-tags", methods=["POST"])
@login_required
def merge_tags(slug: str) -> Response | tuple[str, int]:
    """Merge one interest tag into another."""
    community = organized_community_or_403(slug)
    form = MergeTagsForm()
    if form.validate_on_submit():
        try:
            communities.merge_tag(community, current_user, form.source.data, form.target.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(gettext("Tags merged."), "success")
            return redirect(url_for("organizer.settings", slug=slug))
    return _settings_page(community, merge=form), 400


@bp.route("/<slug>/settings/areas", methods=["POST"])
@login_required
def add_area(slug: str) -> Response | tuple[str, int]:
    """Name an area of the community with its coordinates, for members to pick as home."""
    community = organized_community_or_403(slug)
    form = AreaForm()
    if form.validate_on_submit():
        try:
            point = places.parse_point(
                form.area_lat.data, form.area_lon.data, "area_lat", "area_lon"
            )
            if point is None:
                raise ServiceError(
                    gettext("Please give the area's latitude and longitude."), field="area_lat"
                )
            area = places.add_area(community, current_user, form.area_name.data, point)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(gettext("Added the area %(name)s.", name=area.name), "success")
            return redirect(url_for("organizer.settings", slug=slug))
    return _settings_page(community, area=form), 400


@bp.route("/<slug>/settings/areas/<int:area_id>/remove", methods=["POST"])
@login_required
def remove_area(slug: str, area_id: int) -> Response:
    """Remove an area; members who picked it keep their home point."""
    community = organized_community_or_403(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        name = places.remove_area(community, current_user, area_id)
    except ServiceError as error:
        show_service_error(None, error)
    else:
        flash(gettext("Removed the area %(name)s.", name=name), "success")
    return redirect(url_for("organizer.settings", slug=slug))


@bp.route("/<slug>/settings/invite", methods=["POST"])
@login_required
def rotate_invite(slug: str) -> Response:
    """Make a new invite link; the old one stops working."""
    community = organized_community_or_403(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    communities.rotate_invite_code(community, current_user)
    flash(gettext("New invite link made; the old one no longer works."), "success")
    return redirect(url_for("organizer.settings", slug=slug))


@bp.route("/<slug>/settings/organizers", methods=["POST"])
@login_required
def add_co_organizer(slug: str) -> Response | tuple[str, int]:
    """Make a member of the community a co-organizer."""
    community = organized_community_or_403(slug)
    form = CoOrganizerForm()
    if form.validate_on_submit():
        try:
            member = communities.add_co_organizer(community, current_user, form.email.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(
                gettext(
                    "%(display_name)s is now a co-organizer.", display_name=member.display_name
                ),
                "success",
            )
            return redirect(url_for("organizer.settings", slug=slug))
    return _settings_page(community, co_organizer=form), 400


@bp.route("/<slug>/settings/api-tokens", methods=["POST"])
@login_required
def create_api_token(slug: str) -> tuple[str, int]:
    """Make an organizer API token; the page shows it this once (never flashed: the session
    cookie is signed, not encrypted), only its hash is kept."""
    community = organized_community_or_403(slug)
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = api_tokens.create_organizer_token(
                community, current_user, form.token_name.data
            )
        except ServiceError as error:
            form.token_name.errors = [*form.token_name.errors, error.message]
        else:
            page = _settings_page(community, new_token={"name": token.name, "secret": secret})
            return page, 201
    return _settings_page(community, api_token=form), 400


@bp.route("/<slug>/settings/api-tokens/revoke", methods=["POST"])
@login_required
def revoke_api_token(slug: str) -> Response:
    """Revoke one of the community's API tokens; it stops working at once."""
    community = organized_community_or_403(slug)
    form = RevokeApiTokenForm()
    if not form.validate_on_submit() or not (form.token_id.data or "").isdigit():
        abort(400)
    try:
        token = api_tokens.revoke_organizer_token(community, current_user, int(form.token_id.data))
    except ServiceError as error:
        show_service_error(None, error)
    else:
        flash(gettext("Revoked the API token %(name)s.", name=token.name), "success")
    return redirect(url_for("organizer.settings", slug=slug))


@bp.route("/<slug>/audit")
@login_required
def audit_log(slug: str) -> str:
    """Everything organizers did in this community: who, what, when."""
    community = organized_community_or_403(slug)
    return render_template(
        "organizer/audit.html", community=community, entries=audit.entries(community)
    )


@bp.route("/<slug>/meetups/<int:meetup_id>/message", methods=["GET", "POST"])
@login_required
def message(slug: str, meetup_id: int) -> str | Response | tuple[str, int]:
    """Write to every opted-in member of a meetup, or to one of its groups."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    form = MessageForm()
    form.audience.choices = [SelectChoice(v, label) for v, label in messaging.audiences(found)]
    if form.validate_on_submit():
        try:
            email_ids = messaging.send_message(
                found, current_user, form.audience.data, form.subject.data, form.body.data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(gettext("Message queued for %(count)s members.", count=len(email_ids)), "success")
            return redirect(url_for("organizer.meetup", slug=slug, meetup_id=found.id))
    return render_template(
        "organizer/message.html", community=community, meetup=found, form=form
    ), 400 if request.method == "POST" else 200
