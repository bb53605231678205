"""The dashboard page, its date filter and CSV exports, over HTTP."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.helpers import csrf_token
from tests.web.organizer.conftest import logged_in_client
from tests.web.organizer.small_community import seed_small_community
from webapp.extensions import db
from webapp.models import AuditEntry, Member
from webapp.services.dashboard_export import neutralise, to_csv


def _organizer(app):  # type: ignore[no-untyped-def]
    community, people, _ = seed_small_community()
    return community, logged_in_client(app, people["O"]), people


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_dashboard_shows_every_chart_as_inline_svg_without_a_cdn(app):  # type: ignore[no-untyped-def]
    community, client, _ = _organizer(app)
    page = client.get(f"/organize/{community.slug}").get_data(as_text=True)
    for chart in (
        "members",
        "rates",
        "attendance",
        "feedback",
        "depth",
        "left-out",
        "ripple",
        "wellbeing",
    ):
        assert f'id="chart-{chart}"' in page
    assert page.count("<svg") >= 8
    assert "<script" not in page and "kozea" not in page and "cdn" not in page.lower()
    assert "3</strong> mutual meet-again pairs" in page
    assert "G: not placed 2 times" in page  # the private left-out list
    assert "g@example.org" not in page, "no member email on the page"


def test_date_range_filters_the_exported_series(app):  # type: ignore[no-untyped-def]
    community, client, _ = _organizer(app)
    rows = _csv(client.get(f"/organize/{community.slug}/dashboard/meetups.csv"))
    assert [r[1] for r in rows[1:]] == ["M1", "M2", "M3"]
    rows = _csv(
        client.get(
            f"/organize/{community.slug}/dashboard/meetups.csv?start=2030-02-01&end=2030-02-28"
        )
    )
    assert [r[1] for r in rows[1:]] == ["M2"]
    page = client.get(f"/organize/{community.slug}?start=2030-02-01&end=2030-02-28")
    assert page.status_code == 200
    bad = client.get(f"/organize/{community.slug}?start=not-a-date")
    assert bad.status_code == 200, "a bad date shows everything instead of failing"


def test_exports_hold_no_emails_unless_ticked_and_logged(app):  # type: ignore[no-untyped-def]
    community, client, people = _organizer(app)
    url = f"/organize/{community.slug}/dashboard/left-out.csv"
    plain = _csv(client.get(url))
    assert plain[0] == ["list", "name", "detail", "suggested action"]
    assert not any("@" in cell for row in plain for cell in row)
    assert (
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export.with_emails")
        ).all()
        == []
    )
    token = csrf_token(client.get(f"/organize/{community.slug}").get_data(as_text=True))
    unticked = _csv(client.post(url, data={"csrf_token": token}))
    assert unticked == plain
    ticked = _csv(client.post(url, data={"csrf_token": token, "include_emails": "y"}))
    assert ticked[0][-1] == "email" and "g@example.org" in {row[-1] for row in ticked}
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export.with_emails")
    ).one()
    assert entry.actor_id == people["O"].id
    assert client.post(url, data={"include_emails": "y"}).status_code == 400  # no CSRF token
    assert client.get(f"/organize/{community.slug}/dashboard/nope.csv").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised(app):  # type: ignore[no-untyped-def]
    for dangerous in ('=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise(-3) == -3 and neutralise("Ada") == "Ada" and neutralise(None) == ""
    assert to_csv(["a"], [["=1+1"]]).splitlines() == ["a", "'=1+1"]
    community, client, people = _organizer(app)
    people["G"].display_name = "=cmd|' /C calc'!A0"
    db.session.commit()
    token = csrf_token(client.get(f"/organize/{community.slug}").get_data(as_text=True))
    client.post(f"/organize/{community.slug}/dashboard/refresh", data={"csrf_token": token})
    rows = _csv(client.get(f"/organize/{community.slug}/dashboard/left-out.csv"))
    assert "'=cmd|' /C calc'!A0" in {row[1] for row in rows}
    assert db.session.get(Member, people["G"].id) is not None


def test_undeliverable_emails_are_shown_to_organizers(world):  # type: ignore[no-untyped-def]
    from webapp.models import OutboxEmail, OutboxStatus

    db.session.add(
        OutboxEmail(
            kind="match",
            to_address="gone@example.org",
            subject="Your group",
            body_text="Hi",
            meetup_id=world.meetup_id,
            status=OutboxStatus.FAILED,
            last_error="550 mailbox unavailable",
        )
    )
    db.session.commit()
    page = world.clients["organizer"].get(f"/organize/{world.slug}").get_data(as_text=True)
    assert "Emails that could not be delivered" in page
    assert "gone@example.org" in page and "550 mailbox unavailable" in page
    other = (
        world.clients["other_organizer"].get(f"/organize/{world.other_slug}").get_data(as_text=True)
    )
    assert "gone@example.org" not in other
