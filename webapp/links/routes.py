"""The /l/ pages: a confirmation page on GET (mail scanners prefetch links, so a GET never
changes anything), the change on POST; RFC 8058 one-click unsubscribe POSTs directly; the
member's private calendar feed. Once the token names its member, the page speaks that
member's language (their choice, else their community's default; `i18n.speak_to`), not
the language of whichever browser opened the link."""

from __future__ import annotations

import logging

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext

from webapp.extensions import db
from webapp.i18n import speak_to
from webapp.links import bp
from webapp.links.actions import ACTIONS, FEEDBACK_CHOICES, feedback_answer, group_of
from webapp.models import Community, Meetup, Member
from webapp.services import calendar_feed, emails, feedback
from webapp.services.errors import ServiceError
from webapp.services.links import Action, LinkClaim, verify
from webapp.services.optins import NoTimeError

log = logging.getLogger(__name__)


def _claim(action_name: str, token: str) -> tuple[Action, LinkClaim, Member]:
    try:
        action = Action(action_name)
    except ValueError:
        abort(404)
    claim = verify(action, token)
    member = db.session.get(Member, claim.member_id)
    if member is None:
        raise ServiceError(gettext("This link belongs to an account that no longer exists."))
    speak_to(member, _community_of(member, claim))
    return action, claim, member


def _community_of(member: Member, claim: LinkClaim) -> Community | None:
    """The community whose default language speaks for a member who chose none: the link's
    meetup's, else that of the first community they joined that has a default."""
    meetup = db.session.get(Meetup, claim.meetup_id) if claim.meetup_id else None
    if meetup is not None:
        return meetup.community
    joined = sorted(member.memberships, key=lambda m: (m.joined_at, m.id))
    return next((m.community for m in joined if m.community.default_locale), None)


@bp.route("/<action_name>/<token>", methods=["GET", "POST"])
def one_click(action_name: str, token: str) -> str | tuple[str, int]:
    """Ask first (GET), then do it (POST) for the member the link was made for."""
    if action_name not in {a.value for a in ACTIONS}:
        abort(404)
    try:
        action, claim, member = _claim(action_name, token)
        spec = ACTIONS[action]
        if request.method == "GET":
            return render_template("links/confirm.html", spec=spec, member=member)
        message = spec.perform(member, claim)
    except NoTimeError as error:  # the way out: pick times for this meetup, or fix the grid
        db.session.rollback()
        return render_template(
            "links/done.html",
            title=gettext("Sorry"),
            message=error.message,
            times_url=url_for("members.opt_in", meetup_id=error.meetup_id),
        ), 400
    except ServiceError as error:
        db.session.rollback()
        return render_template(
            "links/done.html", title=gettext("Sorry"), message=error.message
        ), 400
    log.info("one-click %s done for member %s", action.value, member.id)
    return render_template("links/done.html", title=spec.title, message=message)


@bp.route("/calendar/<token>.ics")
def calendar(token: str) -> Response:
    """The member's private feed of upcoming meetups (subscribe to it in any calendar app)."""
    try:
        _, _, member = _claim(Action.CALENDAR.value, token)
    except ServiceError:
        abort(404)
    return Response(
        calendar_feed.feed_for(member),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="hearth.ics"'},
    )


@bp.route("/email-settings/<token>", methods=["GET", "POST"])
def email_settings(token: str) -> str | tuple[str, int]:
    """Switch each kind of non-essential email on or off, from a link in any email."""
    try:
        _, _, member = _claim(Action.PREFERENCES.value, token)
    except ServiceError as error:
        return render_template(
            "links/done.html", title=gettext("Sorry"), message=error.message
        ), 400
    saved = False
    if request.method == "POST":
        chosen = set(request.form.getlist("kinds"))
        for kind in emails.OPTIONAL_KINDS:
            emails.set_preference(member.id, kind, kind in chosen)
        saved = True
    return render_template(
        "links/email_settings.html",
        member=member,
        kinds=emails.OPTIONAL_KINDS,
        wanted=emails.preferences(member.id),
        saved=saved,
    )


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def feedback_form(token: str) -> str | tuple[str, int]:
    """The private after-meetup feedback, from the email, without logging in."""
    try:
        action, claim, member = _claim(Action.FEEDBACK.value, token)
        group = group_of(member, claim)
    except ServiceError as error:
        return render_template(
            "links/done.html", title=gettext("Sorry"), message=error.message
        ), 400
    others = [s.member for s in group.members if s.member_id != member.id]
    error = None
    if request.method == "POST":
        answer = feedback_answer(request.form, [o.id for o in others])
        try:
            feedback.submit(member, group, answer)
        except ServiceError as problem:
            db.session.rollback()
            error = problem
        else:
            log.info("one-click feedback done for member %s", member.id)
            return render_template(
                "links/done.html",
                title=gettext("Thank you"),
                message=gettext("Thank you! Your answers are private."),
            )
    page = render_template(
        "links/feedback.html",
        member=member,
        group=group,
        others=others,
        error=error,
        form=request.form,
        choices=FEEDBACK_CHOICES,
    )
    return (page, 400) if error else page
