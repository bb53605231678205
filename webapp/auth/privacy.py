"""Views for downloading all my data and deleting my account."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as BaseResponse

from webapp.auth import bp
from webapp.auth.account import _forms
from webapp.auth.forms import DeleteAccountForm
from webapp.members.forms import EmptyForm
from webapp.services import accounts, privacy


@bp.route("/account/my-data.json")
@login_required
def download_data() -> Response:
    """Everything about me, as a JSON file."""
    data = json.dumps(privacy.export_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        data,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-hearth-data.json"'},
    )


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete_account() -> str | BaseResponse:
    """Delete the account for good after checking the password."""
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        if accounts.verify_password(current_user, form.password.data):
            privacy.delete_account(current_user._get_current_object())
            logout_user()
            flash(gettext("Your account and personal data are deleted. Take care!"), "info")
            return redirect(url_for("members.landing"))
        form.password.errors.append("That is not your password.")
    email_form, password_form = _forms()
    return render_template(
        "auth/settings.html",
        email_form=email_form,
        password_form=password_form,
        delete_form=form,
        form=EmptyForm(),
    ), 400
