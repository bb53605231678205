"""The organizer page "What makes pairs click here" and its on/off switch (issue 15)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.organizer import bp
from webapp.organizer.compat_forms import CompatSettingForm
from webapp.services import audit, compat_page, compat_weights
from webapp.views import organized_community_or_403


@bp.route("/<slug>/compatibility", methods=["GET", "POST"])
@login_required
def compatibility(slug: str) -> str | Response | tuple[str, int]:
    """What the community's learned model says, how well it did, and whether it is used."""
    community = organized_community_or_403(slug)
    form = CompatSettingForm()
    if request.method == "POST":
        if form.validate_on_submit():
            on = form.use_learned.data == "on"
            compat_weights.switch(community.id, on)
            audit.record(
                community,
                current_user,
                "compat.switch",
                "Learned compatibility switched " + ("on" if on else "off"),
                on=on,
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("organizer.compatibility", slug=slug))
        return _page(community, form), 400
    form.use_learned.data = "on" if compat_weights.use_learned(community.id) else "off"
    return _page(community, form)


def _page(community, form: CompatSettingForm) -> str:  # type: ignore[no-untyped-def]
    return render_template(
        "organizer/compatibility.html",
        community=community,
        form=form,
        view=compat_page.view_of(community.id),
        figure=compat_page.figure,
    )
