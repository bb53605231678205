"""Views for signing up, logging in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.auth import bp
from webapp.auth.forms import LoginForm, SignUpForm
from webapp.extensions import db, login_manager
from webapp.models import Member
from webapp.services import accounts
from webapp.services.errors import ServiceError
from webapp.views import show_service_error

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."


@login_manager.user_loader
def load_member(member_id: str) -> Member | None:
    """Flask-Login's loader: the member for a session's id."""
    return db.session.get(Member, int(member_id)) if member_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login, never another host."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("members.home")


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response:
    """Create an account and log straight in."""
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            member = accounts.sign_up(form.email.data, form.password.data, form.display_name.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            login_user(member)
            flash("Welcome to Hearth! Tell us a little about yourself.", "success")
            return redirect(url_for("members.profile"))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    form = LoginForm()
    if form.validate_on_submit():
        member = accounts.authenticate(form.email.data, form.password.data)
        if member is not None:
            login_user(member, remember=form.remember.data)
            flash(f"Welcome back, {member.first_name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Log out (POST only, so a link elsewhere cannot log you out)."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("members.landing"))
