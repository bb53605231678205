"""Views for forgotten passwords and account settings: change password or address, and
the member's API token."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.api.forms import ApiTokenForm
from webapp.auth import bp
from webapp.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotForm,
    ResetForm,
)
from webapp.auth.session_policy import start_fresh_session
from webapp.extensions import db
from webapp.members.forms import EmptyForm
from webapp.services import account_changes, accounts, api_tokens
from webapp.services.errors import ServiceError
from webapp.services.notify import send_after_commit
from webapp.views import show_service_error


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> str | Response:
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        send_after_commit(account_changes.request_password_reset(form.email.data))
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response:
    """Choose a new password from a reset link (valid one hour, once)."""
    try:
        account_changes.member_for_reset(token)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot"))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            member = account_changes.reset_password(token, form.password.data)
        except ServiceError as error:
            db.session.rollback()
            show_service_error(form, error)
        else:
            logout_user()
            start_fresh_session()
            login_user(member)
            flash(
                gettext("Your new password is set. Every other session was logged out."), "success"
            )
            return redirect(url_for("members.home"))
    return render_template("auth/reset.html", form=form), 400 if form.errors else 200


def _forms() -> tuple[ChangeEmailForm, ChangePasswordForm]:
    return ChangeEmailForm(prefix="email"), ChangePasswordForm(prefix="password")


@bp.app_context_processor
def _delete_form_factory() -> dict:
    return {"delete_form_factory": lambda: DeleteAccountForm(prefix="delete")}


@bp.app_context_processor
def _api_token_section() -> dict:
    """What the account page's API section needs, loaded only when the page draws it."""
    return {
        "member_api_token": lambda: api_tokens.member_token(current_user),
        "api_token_form_factory": lambda: ApiTokenForm(prefix="api"),
    }


@bp.route("/account")
@login_required
def settings() -> str:
    """Account settings: address, password, sessions, data download and deletion."""
    email_form, password_form = _forms()
    return render_template(
        "auth/settings.html", email_form=email_form, password_form=password_form, form=EmptyForm()
    )


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email() -> str | Response:
    """Send a confirmation link to a new address."""
    email_form, password_form = _forms()
    if email_form.validate_on_submit():
        try:
            send_after_commit(
                account_changes.request_email_change(
                    current_user, email_form.current_password.data, email_form.new_email.data
                )
            )
        except ServiceError as error:
            show_service_error(email_form, error)
        else:
            flash(
                gettext(
                    "Check the inbox of your new address: your account moves there once you open "
                    "the link we sent."
                ),
                "info",
            )
            return redirect(url_for("auth.settings"))
    return render_template(
        "auth/settings.html", email_form=email_form, password_form=password_form, form=EmptyForm()
    ), 400


@bp.route("/confirm-new-email/<token>")
def confirm_new_email(token: str) -> Response:
    """Open the link sent to a new address: the account moves there."""
    try:
        member, email_ids = account_changes.confirm_email_change(token)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("members.home"))
    send_after_commit(email_ids)
    flash(gettext("Your account now uses %(email)s.", email=member.email), "success")
    return redirect(url_for("auth.settings" if current_user.is_authenticated else "auth.login"))


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password() -> str | Response:
    """Change the password; other sessions end, this one stays logged in."""
    email_form, password_form = _forms()
    if password_form.validate_on_submit():
        try:
            email_ids = account_changes.change_password(
                current_user,
                password_form.current_password.data,
                password_form.new_password.data,
            )
        except ServiceError as error:
            db.session.rollback()
            show_service_error(password_form, error)
        else:
            send_after_commit(email_ids)
            login_user(current_user._get_current_object())  # the session gets the new token
            flash(gettext("Your password is changed. Other devices were logged out."), "success")
            return redirect(url_for("auth.settings"))
    return render_template(
        "auth/settings.html", email_form=email_form, password_form=password_form, form=EmptyForm()
    ), 400


@bp.route("/account/api-token", methods=["POST"])
@login_required
def create_api_token() -> tuple[str, int]:
    """Make the member's read-only API token (an older one stops working); the page shows
    it this once, only its hash is kept."""
    email_form, password_form = _forms()
    form = ApiTokenForm(prefix="api")
    new_token = None
    if form.validate_on_submit():
        try:
            token, secret = api_tokens.create_member_token(current_user, form.token_name.data)
        except ServiceError as error:
            form.token_name.errors = [*form.token_name.errors, error.message]
        else:
            new_token = {"name": token.name, "secret": secret}
    return render_template(
        "auth/settings.html",
        email_form=email_form,
        password_form=password_form,
        form=EmptyForm(),
        api_token_form=form,
        new_token=new_token,
    ), 201 if new_token else 400


@bp.route("/account/api-token/revoke", methods=["POST"])
@login_required
def revoke_api_token() -> Response:
    """Revoke the member's API token; it stops working at once."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if api_tokens.revoke_member_token(current_user):
        flash(gettext("Your API token is revoked."), "success")
    return redirect(url_for("auth.settings"))


@bp.route("/account/log-out-everywhere", methods=["POST"])
@login_required
def log_out_everywhere() -> Response:
    """End every session of this account, this one included."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    accounts.end_other_sessions(current_user)
    logout_user()
    flash(gettext("You are logged out on every device."), "info")
    return redirect(url_for("auth.login"))
