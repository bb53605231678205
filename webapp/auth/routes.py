"""Views for signing up (with email confirmation), logging in and out."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.auth import bp
from webapp.auth.forms import LoginForm, SignUpForm
from webapp.auth.session_policy import start_fresh_session
from webapp.extensions import db, login_manager
from webapp.members.forms import EmptyForm
from webapp.members.joining import accept_pending_invite
from webapp.models import Member
from webapp.services import accounts
from webapp.services.errors import ServiceError
from webapp.services.notify import send_after_commit
from webapp.views import show_service_error

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."


@login_manager.user_loader
def load_member(session_id: str) -> Member | None:
    """Flask-Login's loader: the member whose id and current session token the session holds.

    A session (or remember-me cookie) from before a password change, a reset or an account
    deletion carries an old token and so logs nobody in.
    """
    member_id, _, token = (session_id or "").partition(":")
    if not (member_id.isascii() and member_id.isdigit()) or not token:
        return None
    member = db.session.get(Member, int(member_id))
    if member is None or member.deleted_at is not None:
        return None
    return member if hmac.compare_digest(member.session_token, token) else None


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login, never another host."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target  # browsers read /\host as //host
        and target.isprintable()
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("members.home")


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response:
    """Create an account; the next step is the link in the confirmation email.

    A taken address gets exactly the same response (its owner gets an email instead).
    """
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            outcome = accounts.sign_up(form.email.data, form.password.data, form.display_name.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            send_after_commit(outcome.email_ids)
            session["check_email"] = accounts.normalise_email(form.email.data)
            return redirect(url_for("auth.check_email"))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/signup/check-your-email")
def check_email() -> str:
    """Where sign-up lands, whether or not the address already had an account."""
    return render_template("auth/check_email.html", email=session.get("check_email", ""))


@bp.route("/confirm/<token>")
def confirm(token: str) -> Response:
    """Open the confirmation link: the address is confirmed and the member logged in."""
    try:
        member = accounts.confirm_email(token)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("members.home" if current_user.is_authenticated else "auth.login"))
    start_fresh_session()
    login_user(member)
    accept_pending_invite(member)
    flash(
        gettext("Your address is confirmed. Welcome to Hearth! Tell us a little about yourself."),
        "success",
    )
    return redirect(url_for("members.profile"))


@bp.route("/confirm/resend", methods=["POST"])
@login_required
def resend() -> Response:
    """Send the confirmation link again (at most once every few minutes)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    send_after_commit(accounts.resend_confirmation(current_user))
    flash(
        gettext(
            "We sent a new link to %(email)s. It can take a minute to arrive.",
            email=current_user.email,
        ),
        "info",
    )
    return redirect(url_for("members.home"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    form = LoginForm()
    if form.validate_on_submit():
        member = accounts.authenticate(form.email.data, form.password.data)
        if member is not None:
            start_fresh_session()
            login_user(member, remember=form.remember.data)
            if accept_pending_invite(member) is not None:
                return redirect(url_for("members.home"))
            flash(gettext("Welcome back, %(first_name)s.", first_name=member.first_name), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Log out (POST only, so a link elsewhere cannot log you out).

    The member's session token is rotated, so a copy of this session's cookie (or a
    remember-me cookie) is refused afterwards; this also ends the member's other sessions.
    """
    accounts.end_other_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("members.landing"))
