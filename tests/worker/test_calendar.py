"""RFC 5545 output: folding, escaping and UTC times survive a real iCalendar parser."""

from __future__ import annotations

from datetime import datetime

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.services import calendar

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(["\n", ";", ",", "\\", "é", "日", "🙂", '"', ":"]),
    max_size=300,
)


def _event(summary: str, location: str, name: str) -> calendar.Event:
    return calendar.Event(
        uid="meetup-1-member-2@example.org",
        sequence=3,
        starts_at=datetime(2026, 3, 29, 0, 30),  # the night Europe/Berlin changes to summer time
        summary=summary,
        location=location,
        description=f"{summary}\n{location}",
        organizer_name=name,
        organizer_email="hearth@example.org",
        attendee_name=name,
        attendee_email="sam@example.org",
    )


@settings(max_examples=60, deadline=None)
@given(summary=TEXT, location=TEXT, name=TEXT)
def test_any_text_round_trips_through_a_parser(summary: str, location: str, name: str) -> None:
    ics = calendar.invite(_event(summary, location, name))
    for line in ics.split("\r\n"):
        assert len(line.encode()) <= 75, "every physical line is folded at 75 octets"
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    normalise = lambda s: s.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731
    assert str(event["SUMMARY"]) == normalise(summary)
    assert str(event["LOCATION"]) == normalise(location)
    assert str(event["DESCRIPTION"]) == normalise(f"{summary}\n{location}")
    assert int(event["SEQUENCE"]) == 3
    assert event.decoded("DTSTART").isoformat() == "2026-03-29T00:30:00+00:00"


def test_cancel_keeps_uid_and_marks_cancelled() -> None:
    ics = calendar.cancellation(_event("Walk", "Park", "Harbour Friends"))
    cal = icalendar.Calendar.from_ical(ics)
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "meetup-1-member-2@example.org"


def test_fold_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = calendar.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_fold_leaves_a_line_of_75_octets_and_folds_one_of_76() -> None:
    for line in ("X" * 75, "SUMMARY:" + "é" * 33 + "s"):  # 75 octets, ASCII or not
        assert len(line.encode()) == 75 and calendar.fold(line) == line
    longer = "X" * 76
    assert calendar.fold(longer) == "X" * 75 + "\r\n X"
    two_bytes_over = "SUMMARY:" + "é" * 34  # 76 octets: the last é moves down whole
    assert calendar.fold(two_bytes_over) == "SUMMARY:" + "é" * 33 + "\r\n é"
