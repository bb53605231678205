"""CSV exports of the dashboard's numbers, safe to open in a spreadsheet.

No export holds an email address unless the organizer asked for it (the caller logs that
in the audit log). Text cells that a spreadsheet would run as a formula (starting with
= + - @, tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Member

#: What a CSV cell may not start with, lest a spreadsheet run it as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORTS = ("members", "meetups", "depth", "left-out", "ripple", "wellbeing")


def neutralise(value: object) -> object:
    """A cell value a spreadsheet will show as text, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV text with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[neutralise(cell) for cell in row] for row in rows])
    return out.getvalue()


def _table(rows: list[dict], columns: list[str]) -> tuple[list[str], list[list[object]]]:
    return columns, [[row.get(c) for c in columns] for row in rows]


def table(data: dict, name: str, *, include_emails: bool = False) -> tuple[list[str], list]:
    """The header and rows of one export of (date-filtered) dashboard data."""
    if name == "members":
        return _table(data["members"], ["month", "signups", "members", "active"])
    if name == "meetups":
        return _table(
            data["meetups"],
            [
                "date",
                "title",
                "members",
                "opted_in",
                "placed",
                "optin_rate",
                "match_rate",
                "reported",
                "attendance_rate",
                "no_show_rate",
                "ratings",
                "avg_rating",
            ],
        )
    if name == "depth":
        return _table(
            data["depth"]["series"],
            ["date", "mutual_pairs", "groups", "repeat_groups", "repeat_group_rate"],
        )
    if name == "ripple":
        figures = {k: v for k, v in data["ripple"].items() if k != "component_sizes"}
        return ["figure", "value"], [[k, v] for k, v in figures.items()]
    if name == "wellbeing":
        return _table(data["wellbeing"], ["month", "answers", "average"])
    if name == "left-out":
        return _left_out(data["left_out"], include_emails)
    raise KeyError(name)


def _left_out(left: dict, include_emails: bool) -> tuple[list[str], list]:
    people = [(kind, p) for kind, found in left.items() for p in found["people"]]
    emails = {}
    if include_emails and people:
        ids = [p["member_id"] for _, p in people]
        emails = dict(
            db.session.execute(select(Member.id, Member.email).where(Member.id.in_(ids))).all()
        )
    header = ["list", "name", "detail", "suggested action"] + (["email"] if include_emails else [])
    rows = [
        [kind, p["name"], p["detail"], left[kind]["action"]]
        + ([emails.get(p["member_id"], "")] if include_emails else [])
        for kind, p in people
    ]
    return header, rows
