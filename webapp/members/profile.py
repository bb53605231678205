"""Views for the member's profile (onboarding) and the optional loneliness check-in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.members import bp
from webapp.members.forms import CheckinForm, ProfileForm
from webapp.members.parsing import int_or_none
from webapp.models import Member
from webapp.services import checkins, languages, places, profiles
from webapp.services.errors import ServiceError
from webapp.views import show_service_error


def _number(value: str | None) -> int | None:
    """A chosen number; None for "not said"; -1 (refused by the service) for junk."""
    if not (value or "").strip():
        return None
    number = int_or_none(value, max_digits=5)
    return -1 if number is None else number


def _saved_values(
    member: Member, interests: list[str], ticked: set[str], areas: list
) -> dict[str, object]:
    """What the form shows before any change (a submitted form overrides it): a home that
    is one of the offered areas shows as that choice, any other home as its coordinates."""
    picked = next(
        (a for a in areas if a.name == member.area and (a.lat, a.lon) == member.home), None
    )
    typed = member.home if picked is None else None
    return {
        "display_name": member.display_name,
        "interests": ", ".join(name for name in interests if name not in ticked),
        "about": member.about,
        "area": "" if picked else member.area,
        "home_area": picked.name if picked else "",
        "home_lat": f"{typed[0]:g}" if typed else "",
        "home_lon": f"{typed[1]:g}" if typed else "",
        "travel_km": str(member.travel_km or ""),
        "preferred_group_size": str(member.preferred_group_size or ""),
        "no_groups_of_two": member.no_groups_of_two,
        "languages": ", ".join(languages.name_of(code) for code in member.languages or []),
        "diet": member.diet,
        "accessibility_needs": member.accessibility_needs,
        "locale": member.locale or "",
    }


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """Edit the whole profile on one page: it takes a minute for a new member."""
    member = current_user
    tags = profiles.suggested_tags(member)
    shown_tags = tags[:24]
    chosen = profiles.free_windows(member)
    mine = profiles.interest_names(member)
    checked_tags = set(mine) & set(shown_tags)
    areas = places.areas_for(member)
    form = ProfileForm(data=_saved_values(member, mine, checked_tags, areas))
    form.home_area.choices = [("", _("Not said")), *((a.name, a.name) for a in areas)]
    if form.validate_on_submit():
        checked_tags = set(request.form.getlist("tags"))
        try:
            chosen = profiles.parse_availability(request.form.getlist("availability"))
            interests = profiles.normalise_interests(
                [*request.form.getlist("tags"), *profiles.split_list_text(form.interests.data)]
            )
            home = places.home_from_form(
                member, form.home_area.data, form.home_lat.data, form.home_lon.data
            )
            details = profiles.Details(
                area=home.area_name or form.area.data or "",
                home_lat=home.point[0] if home.point else None,
                home_lon=home.point[1] if home.point else None,
                travel_km=_number(form.travel_km.data),
                preferred_group_size=_number(form.preferred_group_size.data),
                no_groups_of_two=bool(form.no_groups_of_two.data),
                languages=profiles.split_list_text(form.languages.data),
                diet=form.diet.data or "",
                accessibility_needs=form.accessibility_needs.data or "",
            )
            member.locale = profiles.check_locale(form.locale.data)
            profiles.update_profile(
                member,
                display_name=form.display_name.data,
                about=form.about.data or "",
                interests=interests,
                availability=chosen,
                details=details,
            )
        except ServiceError as error:
            db.session.rollback()
            show_service_error(form, error)
        else:
            refresh()  # the flash speaks the language just chosen
            flash(_("Your profile is saved."), "success")
            if not profiles.profile_complete(member):
                flash(
                    _("Add at least one interest and one time you are free to be matched."),
                    "info",
                )
            return redirect(url_for("members.home"))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template(
        "members/profile.html",
        form=form,
        chosen=chosen,
        tags=shown_tags,
        all_tags=tags,
        checked_tags=checked_tags,
        has_areas=bool(areas),
    ), status


@bp.route("/me/check-in", methods=["GET", "POST"])
@login_required
def check_in() -> str | Response:
    """Three optional questions; the member sees their own answers over time."""
    form = CheckinForm()
    if form.validate_on_submit():
        try:
            checkins.record(
                current_user,
                int(form.lack_companionship.data),
                int(form.left_out.data),
                int(form.isolated.data),
            )
        except (ServiceError, ValueError):
            db.session.rollback()
            flash(_("Please answer each question with one of the choices."), "error")
        else:
            flash(_("Thank you. Only you see your answers; organizers see totals only."), "success")
            return redirect(url_for("members.check_in"))
    return render_template(
        "members/check_in.html", form=form, history=checkins.history(current_user)
    ), 400 if form.errors else 200
