"""Views for a member's groups: the group page, "I'm in" / "Can't make it", the calendar
file, the private feedback form, and My connections."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from webapp.extensions import db
from webapp.members import bp
from webapp.members.forms import EmptyForm, FeedbackForm
from webapp.members.parsing import int_or_none
from webapp.services import connections, feedback, group_calendar, groups, rsvp
from webapp.services.errors import ServiceError
from webapp.services.groups import MyGroup
from webapp.services.notify import send_after_commit
from webapp.views import show_service_error


def _mine(group_id: int) -> MyGroup:
    found = groups.group_for(current_user, group_id)
    if found is None:
        abort(404)
    return found


@bp.route("/me/groups/<int:group_id>")
@login_required
def group(group_id: int) -> str:
    """One group: first names, what they share, when and where, answers, feedback link."""
    mine = _mine(group_id)
    return render_template(
        "members/group.html",
        mine=mine,
        mutual=feedback.mutual_again(current_user),
        form=EmptyForm(),
    )


@bp.route("/me/groups/<int:group_id>/<any('going', 'cant'):answer>", methods=["POST"])
@login_required
def answer(group_id: int, answer: str) -> BaseResponse:
    """ "I'm in" or "Can't make it" with one click."""
    mine = _mine(group_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if answer == "going":
            rsvp.confirm(current_user, mine.group)
            flash(gettext("Great, your group knows you're coming."), "success")
        else:
            send_after_commit(rsvp.cancel(current_user, mine.group))
            flash(gettext("Thanks for letting them know. We told your group."), "info")
    except ServiceError as error:
        db.session.rollback()
        show_service_error(None, error)
    return redirect(url_for("members.group", group_id=group_id))


@bp.route("/me/groups/<int:group_id>/calendar.ics")
@login_required
def group_ics(group_id: int) -> Response:
    """The group's meetup as a calendar file."""
    mine = _mine(group_id)
    return Response(
        group_calendar.ics_for(current_user, mine),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="hearth-{mine.meetup.id}.ics"'},
    )


@bp.route("/me/groups/<int:group_id>/feedback", methods=["GET", "POST"])
@login_required
def give_feedback(group_id: int) -> str | BaseResponse:
    """The private 30-second feedback form."""
    mine = _mine(group_id)
    if not mine.is_past:
        flash(gettext("Feedback opens once the meetup has started."), "info")
        return redirect(url_for("members.group", group_id=group_id))
    form = FeedbackForm()
    earlier, said = feedback.given(current_user, mine.group)
    if request.method == "GET" and earlier is not None:
        form.attended.data = "yes" if earlier.attended else "no"
        form.rating.data = str(earlier.rating or "")
        form.note.data = earlier.note
    chosen = {c.member_id: said.get(c.member_id, "skip") for c in mine.companions}
    if form.validate_on_submit():
        chosen = {
            c.member_id: request.form.get(f"about-{c.member_id}", "skip") for c in mine.companions
        }
        report_about = request.form.get("report_about", "")
        try:
            feedback.submit(
                current_user,
                mine.group,
                feedback.Answer(
                    attended=form.attended.data == "yes",
                    rating=int_or_none(form.rating.data),
                    about=chosen,
                    note=form.note.data or "",
                    safety_report=form.safety_report.data or "",
                    report_about=int_or_none(report_about),
                ),
            )
        except ServiceError as error:
            db.session.rollback()
            show_service_error(form, error)
        else:
            flash(gettext("Thank you! Your answers are private."), "success")
            return redirect(url_for("members.connections_page"))
    return render_template(
        "members/feedback.html", mine=mine, form=form, chosen=chosen
    ), 400 if form.errors else 200


@bp.route("/me/connections")
@login_required
def connections_page() -> str:
    """The people the member met, how often, and who both want to meet again."""
    return render_template(
        "members/connections.html", people=connections.connections_of(current_user)
    )
