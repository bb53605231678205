"""The organizer dashboard: meetup counts, engagement and connection charts, CSV exports."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.organizer import bp
from webapp.organizer.forms import EmptyForm, RangeForm
from webapp.services import audit, dashboard, dashboard_export, metrics, metrics_left_out, outbox
from webapp.views import organized_community_or_403


def _period(form: RangeForm) -> dashboard.DateRange:
    if not form.validate():
        return dashboard.DateRange()
    start, end = form.start.data, form.end.data
    if start and end and start > end:
        start, end = end, start
    return dashboard.DateRange(start, end)


@bp.route("/<slug>", endpoint="dashboard")
@login_required
def dashboard_page(slug: str) -> str:
    """Counts per meetup, figures and charts, filtered by a date range."""
    community = organized_community_or_403(slug)
    form = RangeForm(request.args)
    snapshot = dashboard.snapshot_of(community)
    period = _period(form)
    data = dashboard.filtered(snapshot, period)
    data["left_out"] = metrics_left_out.in_reader_language(data["left_out"])
    return render_template(
        "organizer/dashboard.html",
        community=community,
        members=metrics.member_count(community),
        counts=metrics.meetup_counts(community),
        failed_emails=outbox.failed_emails(community.id),
        data=data,
        charts=dashboard.charts_for(community.id, snapshot, period),
        range_form=form,
        button=EmptyForm(),
        range_args={k: v for k, v in request.args.items() if k in ("start", "end") and v},
    )


@bp.route("/<slug>/dashboard/refresh", methods=["POST"])
@login_required
def refresh_dashboard(slug: str) -> Response:
    """Recompute the figures now instead of waiting for the worker."""
    community = organized_community_or_403(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    dashboard.refresh(community)
    flash(gettext("The figures are up to date."), "success")
    return redirect(url_for("organizer.dashboard", slug=slug))


@bp.route("/<slug>/dashboard/<name>.csv", methods=["GET", "POST"])
@login_required
def export_csv(slug: str, name: str) -> Response:
    """One chart's numbers as CSV; email addresses only by a ticked, CSRF-checked, logged box."""
    community = organized_community_or_403(slug)
    if name not in dashboard_export.EXPORTS:
        abort(404)
    include_emails = False
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        include_emails = name == "left-out" and request.form.get("include_emails") == "y"
    form = RangeForm(request.values)
    data = dashboard.filtered(dashboard.snapshot_of(community), _period(form))
    header, rows = dashboard_export.table(data, name, include_emails=include_emails)
    if include_emails:
        audit.record(
            community,
            current_user,
            "export.with_emails",
            f"Exported the {name} list with email addresses ({len(rows)} rows)",
            export=name,
        )
        db.session.commit()
    return Response(
        dashboard_export.to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{community.slug}-{name}.csv"'},
    )
