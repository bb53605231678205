"""Organizer pages for meetups: scheduling, editing, matching preview, publishing.

Every view starts with `organized_community_or_403`, so only the community's organizers
get past the first line (tests/web/organizer/test_access.py walks every route).
"""

from __future__ import annotations

import logging
from email import message_from_bytes, policy
from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.extensions import db
from webapp.models import Meetup, MeetupStatus, Role
from webapp.organizer import bp
from webapp.organizer.forms import EditMeetupForm, EmptyForm, MeetupForm, MoveMemberForm
from webapp.services import (
    audit,
    communities,
    match_progress,
    match_review,
    meetup_edits,
    meetups,
    places,
)
from webapp.services.errors import ServiceError
from webapp.services.match_preview import preview_of
from webapp.timeutil import to_local
from webapp.views import meetup_of, organized_community_or_403, show_service_error

log = logging.getLogger(__name__)


def _venue_point(row) -> places.Point | None:  # type: ignore[no-untyped-def]
    """A slot row's venue coordinates (None when both are blank); ServiceError otherwise."""
    venue = " ".join((row.venue_name.data or "").split()) or gettext("a slot")
    try:
        return places.parse_point(row.lat.data, row.lon.data, "slots", "slots")
    except ServiceError as error:
        raise ServiceError(
            gettext("Venue %(venue)s: %(problem)s", venue=venue, problem=error.message),
            field="slots",
        ) from None


def _options(form: MeetupForm | EditMeetupForm) -> meetups.MeetupOptions:
    return meetups.MeetupOptions(
        group_min=form.group_min.data,
        group_max=form.group_max.data,
        policy=form.policy.data,
        welcome_newcomers=form.welcome_newcomers.data,
        standby_enabled=form.standby_enabled.data,
        auto_publish=form.auto_publish.data,
    )


@bp.route("/<slug>/meetups/new", methods=["GET", "POST"])
@login_required
def new_meetup(slug: str) -> str | Response | tuple[str, int]:
    """Schedule a meetup, or a recurring series, with one to three slots."""
    community = organized_community_or_403(slug)
    form = MeetupForm()
    if form.validate_on_submit():
        try:
            specs = [
                meetups.SlotSpec(
                    row.starts_at.data,
                    row.venue_name.data or "",
                    row.address.data or "",
                    row.capacity.data or 30,
                    row.accessibility.data or "",
                    _venue_point(row),
                )
                for row in form.slots
                if row.starts_at.data
            ]
            common = {
                "title": form.title.data,
                "optin_deadline_local": form.optin_deadline.data,
                "slots": specs,
                "options": _options(form),
                "actor": current_user,
            }
            if form.frequency.data:
                series = meetups.schedule_series(
                    community,
                    frequency=form.frequency.data,
                    occurrences=form.occurrences.data or 1,
                    **common,
                )
                flash(gettext("%(title)s is scheduled as a series.", title=series.title), "success")
                return redirect(url_for("organizer.dashboard", slug=slug))
            meetup = meetups.schedule_meetup(community, **common)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(
                gettext("%(title)s is scheduled; members can opt in now.", title=meetup.title),
                "success",
            )
            return redirect(url_for("organizer.meetup", slug=slug, meetup_id=meetup.id))
    status = 400 if form.errors or (request.method == "POST") else 200
    return render_template("organizer/new_meetup.html", community=community, form=form), status


@bp.route("/<slug>/meetups/<int:meetup_id>")
@login_required
def meetup(slug: str, meetup_id: int) -> str:
    """A meetup's slots and opt-ins; once matched, the preview with its editing tools."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    preview = preview_of(found) if found.status != MeetupStatus.OPEN else None
    move = MoveMemberForm()
    if preview:
        move.member_id.choices = [
            SelectChoice(
                str(m.id), gettext("%(name)s (group %(num)s)", name=m.display_name, num=g.number)
            )
            for g in preview.groups
            for m in g.members
        ] + [
            SelectChoice(str(m.id), gettext("%(name)s (unmatched)", name=m.display_name))
            for m, _ in preview.unmatched
        ]
        move.group_id.choices = [
            SelectChoice(
                str(g.group.id),
                gettext("Group %(num)s: %(venue)s", num=g.number, venue=g.slot.venue.name),
            )
            for g in preview.groups
        ]
    return render_template(
        "organizer/meetup.html",
        community=community,
        meetup=found,
        preview=preview,
        progress=match_progress.view(match_progress.progress_of(found.id)),
        form=EmptyForm(),
        move=move,
    )


@bp.route("/<slug>/meetups/<int:meetup_id>/progress")
@login_required
def match_progress_json(slug: str, meetup_id: int) -> Response:
    """The latest matching run's state as JSON, polled by static/match_progress.js."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    view = match_progress.view(match_progress.progress_of(found.id))
    response = jsonify({"meetup_status": found.status.value, "progress": view})
    response.headers["Cache-Control"] = "no-store"
    return response


#: Blank rows the edit page offers for adding slots (until the groups are published).
NEW_SLOT_ROWS = 2
#: The settings that change only while a meetup is open for opt-ins.
SETTINGS = (
    "title",
    "optin_deadline",
    "group_min",
    "group_max",
    "policy",
    "welcome_newcomers",
    "standby_enabled",
    "auto_publish",
)


def _edit_form_data(found: Meetup) -> dict:
    """The edit form filled in from the meetup, times in the community's zone."""
    tz = found.community.timezone
    rows = [
        {
            "slot_id": str(slot.id),
            "starts_at": to_local(slot.starts_at, tz).replace(tzinfo=None),
            "venue_name": slot.venue.name,
            "address": slot.venue.address,
            "capacity": slot.venue.capacity,
            "accessibility": slot.venue.accessibility_notes,
            "lat": f"{slot.venue.lat:g}" if slot.venue.lat is not None else "",
            "lon": f"{slot.venue.lon:g}" if slot.venue.lon is not None else "",
        }
        for slot in found.slots
    ]
    if found.status != MeetupStatus.MATCHED:
        room = max(0, min(NEW_SLOT_ROWS, meetup_edits.MAX_SLOTS - len(rows)))
        rows += [{"capacity": 30} for _ in range(room)]
    data = {name: getattr(found, name) for name in SETTINGS}
    data |= {"optin_deadline": meetups.local_deadline(found), "policy": found.policy.value}
    return data | {"slots": rows}


def _slot_edits(form: EditMeetupForm) -> list[meetup_edits.SlotEdit]:
    """The slot rows as submitted; blank new rows are ignored."""
    edits = []
    for row in form.slots:
        raw_id = (row.slot_id.data or "").strip()
        slot_id = int(raw_id) if raw_id.isdigit() else None
        if slot_id is None and (not row.starts_at.data or row.remove.data):
            continue
        edits.append(
            meetup_edits.SlotEdit(
                slot_id,
                row.starts_at.data,
                row.venue_name.data or "",
                row.address.data or "",
                row.capacity.data or 30,
                row.accessibility.data or "",
                bool(row.remove.data),
                None if row.remove.data else _venue_point(row),
            )
        )
    return edits


def _saved_message(outcome: meetup_edits.EditOutcome) -> str:
    parts = [gettext("Saved.")]
    if len(outcome.edited) > 1:
        parts.append(
            gettext(
                "The changes apply to %(count)s meetups of the series.", count=len(outcome.edited)
            )
        )
    if outcome.skipped:
        parts.append(
            gettext(
                "%(count)s later meetups are matched already and kept as they were.",
                count=len(outcome.skipped),
            )
        )
    if outcome.emails:
        parts.append(gettext("%(count)s members were emailed the change.", count=outcome.emails))
    if outcome.untold:
        parts.append(
            gettext(
                "%(count)s members who opted in were not emailed; use “Message members” "
                "if they should know about the new time or place.",
                count=outcome.untold,
            )
        )
    return " ".join(parts)


@bp.route("/<slug>/meetups/<int:meetup_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meetup(slug: str, meetup_id: int) -> str | Response | tuple[str, int]:
    """Edit one meetup (or one occurrence of a series, optionally with every later one):
    its settings while it is open, its slots and venues until it is cancelled."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    if found.status == MeetupStatus.CANCELLED:
        flash(gettext("This meetup is cancelled; it can no longer be edited."), "error")
        return redirect(url_for("organizer.meetup", slug=slug, meetup_id=found.id))
    form = (
        EditMeetupForm(data=_edit_form_data(found)) if request.method == "GET" else EditMeetupForm()
    )
    settings_open = found.status == MeetupStatus.OPEN
    if not settings_open:
        for name in SETTINGS:
            delattr(form, name)
    if found.series_id is None:
        del form.apply_to_series
    if form.validate_on_submit():
        to_series = bool(found.series_id and form.apply_to_series.data)
        try:
            edit = meetup_edits.MeetupEdit(
                title=form.title.data if settings_open else None,
                optin_deadline_local=form.optin_deadline.data if settings_open else None,
                options=_options(form) if settings_open else None,
                slots=_slot_edits(form),
                confirm_slot_removal=form.confirm_slot_removal.data,
            )
            outcome = meetup_edits.apply_edit(found, current_user, edit, to_series=to_series)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_saved_message(outcome), "success")
            return redirect(url_for("organizer.meetup", slug=slug, meetup_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "organizer/edit_meetup.html",
        community=community,
        meetup=found,
        form=form,
        settings_open=settings_open,
    ), status


def _action(slug: str, meetup_id: int, do) -> Response:  # type: ignore[no-untyped-def]
    """Run a one-button action on a meetup: CSRF-checked, errors flashed, back to the page."""
    community = organized_community_or_403(slug)
    found = meetup_of(community, meetup_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        message = do(found)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for("organizer.meetup", slug=slug, meetup_id=found.id))


@bp.route("/<slug>/meetups/<int:meetup_id>/match", methods=["POST"])
@login_required
def match_now(slug: str, meetup_id: int) -> Response:
    """Queue the matching task now; it stores a preview, nothing is sent."""

    def queue(found):  # type: ignore[no-untyped-def]
        if found.status != MeetupStatus.OPEN:
            raise ServiceError(gettext("This meetup has been matched already."))
        from worker.tasks import run_matching_round

        audit.record(
            found.community_id,
            current_user,
            "matching.requested",
            f"Pressed Match now for {found.title}",
            meetup_id=found.id,
        )
        db.session.commit()
        match_progress.mark(found.id, match_progress.QUEUED)
        try:
            run_matching_round.delay(found.id)
        except Exception as exc:  # noqa: BLE001 (broker down: say so instead of a 500)
            log.warning("could not queue matching for meetup %s: %s", found.id, exc)
            match_progress.mark(found.id, match_progress.FAILED, message="could not be queued")
            raise ServiceError(
                gettext(
                    "The matching worker cannot be reached right now; please try again in a "
                    "minute (at the deadline it runs by itself)."
                )
            ) from None
        return gettext(
            "Matching has started; the preview appears here in a moment. Nothing is sent yet."
        )

    return _action(slug, meetup_id, queue)


@bp.route("/<slug>/meetups/<int:meetup_id>/rerun", methods=["POST"])
@login_required
def rerun(slug: str, meetup_id: int) -> Response:
    """Match everyone outside the locked groups again."""

    def run(found):  # type: ignore[no-untyped-def]
        match_review.rerun(found, current_user)
        return gettext("Matched again; locked groups stayed as they were.")

    return _action(slug, meetup_id, run)


@bp.route("/<slug>/meetups/<int:meetup_id>/groups/<int:group_id>/lock", methods=["POST"])
@login_required
def lock_group(slug: str, meetup_id: int, group_id: int) -> Response:
    """Lock a group (or unlock it, with unlock=1) for the next re-run."""
    unlock = request.form.get("unlock") == "1"

    def toggle(found):  # type: ignore[no-untyped-def]
        match_review.set_locked(found, current_user, group_id, not unlock)
        return gettext("Group unlocked.") if unlock else gettext("Group locked: a re-run keeps it.")

    return _action(slug, meetup_id, toggle)


@bp.route("/<slug>/meetups/<int:meetup_id>/move", methods=["POST"])
@login_required
def move_member(slug: str, meetup_id: int) -> Response:
    """Move a member into another group (checked against sizes, slots, seats and blocks)."""
    member_id = request.form.get("member_id", type=int)
    group_id = request.form.get("group_id", type=int)

    def move(found):  # type: ignore[no-untyped-def]
        if member_id is None or group_id is None:
            raise ServiceError(gettext("Please choose a member and a group."))
        match_review.move_member(found, current_user, member_id, group_id)
        if found.status == MeetupStatus.MATCHED:
            return gettext("Moved; both groups were emailed the change.")
        return gettext("Moved.")

    return _action(slug, meetup_id, move)


@bp.route("/<slug>/meetups/<int:meetup_id>/publish", methods=["POST"])
@login_required
def publish(slug: str, meetup_id: int) -> Response:
    """Publish the preview: every placed member gets their match email."""

    def go(found):  # type: ignore[no-untyped-def]
        email_ids = match_review.publish(found, current_user)  # sent once committed
        return gettext("Published: %(count)s match emails are on their way.", count=len(email_ids))

    return _action(slug, meetup_id, go)


@bp.route("/<slug>/meetups/<int:meetup_id>/cancel", methods=["POST"])
@login_required
def cancel(slug: str, meetup_id: int) -> Response:
    """Cancel a meetup that was not published yet."""

    def go(found):  # type: ignore[no-untyped-def]
        meetups.cancel_meetup(found, current_user)
        return gettext("%(title)s is cancelled.", title=found.title)

    return _action(slug, meetup_id, go)


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
