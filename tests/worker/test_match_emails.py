"""Match, update and cancellation emails as a mail client sees them (parsed, not grepped)."""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage

import icalendar
from sqlalchemy import event, select

from tests.worker import factories
from webapp.extensions import db
from webapp.models import Group, MeetupStatus
from webapp.models.messages import OutboxEmail
from webapp.services import emails, notifications, outbox
from webapp.services.outbox import Outcome


def _send_all(queued) -> None:  # type: ignore[no-untyped-def]
    db.session.commit()
    assert [outbox.deliver(e.id) for e in queued] == [Outcome.SENT] * len(queued)


def _invite(message: EmailMessage) -> icalendar.Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [attachment] = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    assert attachment.get_content() == part.get_content().encode()
    return icalendar.Calendar.from_ical(part.get_content())


def test_match_email_has_text_html_invite_and_stable_headers(app, faulty_smtp):  # type: ignore[no-untyped-def]
    round_, group, people = factories.published_round(size=3)
    queued = emails.queue_match_emails(group)
    _send_all(queued)
    messages = {m["To"]: m for m in faulty_smtp.wait_for(3)}
    first = messages["member0@example.org"]
    assert first["Message-ID"] == f"<outbox-{queued[0].id}@127.0.0.1>"
    assert first["From"].addresses[0].display_name == "Harbour Friends"
    assert "List-Unsubscribe" not in first, "a group email is essential mail"
    text = first.get_body(preferencelist=("plain",)).get_content()
    html = first.get_body(preferencelist=("html",)).get_content()
    assert "Person1, Person2 and you" in text and "Person1, Person2 and you" in html
    assert "/l/im-in/" in text and "/l/cant-make-it/" in html
    assert "Café Anker; upstairs, back room, Hafenstr. 1" in text
    assert "member1@example.org" not in text + html, "no one sees other members' addresses"

    cal = _invite(first)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meetup-{round_.id}-member-{people[0].id}@127.0.0.1"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["LOCATION"]) == "Café Anker; upstairs, back room, Hafenstr. 1"
    assert event.decoded("DTSTART").replace(tzinfo=None) == group.slot.starts_at
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert str(event["ORGANIZER"]) == "mailto:hearth@localhost"
    assert event["ORGANIZER"].params["CN"] == "Harbour Friends"
    assert str(event["ATTENDEE"]) == "mailto:member0@example.org"
    uids = {str(_invite(m).walk("VEVENT")[0]["UID"]) for m in messages.values()}
    assert len(uids) == 3, "one UID per member"


def test_an_update_keeps_the_uid_and_raises_the_sequence_then_cancel(app, faulty_smtp):  # type: ignore[no-untyped-def]
    round_, group, people = factories.published_round(size=3)
    _send_all(emails.queue_match_emails(group))
    group.slot.venue.name = "Hafenbar"
    _send_all(emails.queue_match_update(group, note="We moved to a bigger room."))
    _send_all(emails.queue_cancellation(round_, reason="The venue closed."))
    mine = [m for m in faulty_smtp.wait_for(9) if m["To"] == "member0@example.org"]
    cals = [_invite(m) for m in mine]
    assert [str(c["METHOD"]) for c in cals] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [c.walk("VEVENT")[0] for c in cals]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert str(events[1]["LOCATION"]).startswith("Hafenbar")
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert "bigger room" in mine[1].get_body(preferencelist=("plain",)).get_content()
    assert "The venue closed." in mine[2].get_body(preferencelist=("plain",)).get_content()
    assert len({m["Message-ID"] for m in mine}) == 3


def test_match_emails_are_queued_once_per_member_and_meetup(app):  # type: ignore[no-untyped-def]
    _round, group, _people = factories.published_round(size=3)
    assert len(emails.queue_match_emails(group)) == 3
    db.session.commit()
    assert emails.queue_match_emails(group) == [], "a second publish queues nothing"
    assert len(emails.queue_match_update(group)) == 3, "an update is a new version"


def _statements_to_queue(groups: int, size: int) -> tuple[int, list[str]]:
    """(emails queued, the SQL statements it took) for a fresh meetup's groups, loaded
    as publishing finds them (the meetup's groups, nothing else in the session)."""
    place = factories.community(name=f"Place {groups}x{size}")
    round_ = factories.meetup(place, status=MeetupStatus.MATCHED)
    people = [factories.member(place, 1000 * groups + n) for n in range(groups * size)]
    for k in range(groups):
        factories.group(round_, people[k * size : (k + 1) * size])
    meetup_id = round_.id
    db.session.commit()
    db.session.expunge_all()
    found = db.session.scalars(select(Group).where(Group.meetup_id == meetup_id)).all()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        queued = emails.queue_match_emails(*found)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(queued), statements


def test_publishing_queries_do_not_grow_with_the_number_of_members(app):  # type: ignore[no-untyped-def]
    # Issue 16: a deadline publishes thousands of meetups; several statements per email
    # (its SEQUENCE count, dedupe check, insert, lazy loads) made publishing the bulk of
    # a match's time.
    small_count, small = _statements_to_queue(groups=1, size=3)
    large_count, large = _statements_to_queue(groups=8, size=5)
    assert (small_count, large_count) == (3, 40)

    def reads(statements: list[str]) -> list[str]:
        return [s for s in statements if not s.lstrip().upper().startswith("INSERT")]

    assert len(reads(large)) == len(reads(small)) <= 6, reads(large)
    if db.engine.dialect.name == "postgresql":  # SQLite's driver inserts row by row
        assert len(large) - len(reads(large)) == 1, "the 40 rows in one INSERT"


def test_non_essential_mail_has_rfc8058_headers_and_both_parts(app, faulty_smtp):  # type: ignore[no-untyped-def]
    starts = datetime(2030, 12, 10, 18, 0)
    factories.published_round(size=3, starts_at=starts)
    assert notifications.queue_due(datetime(2030, 12, 9, 9, 30)) == 3
    db.session.commit()
    ids = db.session.scalars(select(OutboxEmail.id)).all()
    assert [outbox.deliver(i) for i in ids] == [Outcome.SENT] * 3
    message = faulty_smtp.wait_for(3)[0]
    [url] = re.findall(r"<(https?://[^>]+/l/unsubscribe/[^>]+)>", message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"].addresses[0].display_name == "Harbour Friends"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert url.replace("&", "&amp;") in html or url in html
    assert "Tomorrow at 19:00" in message.get_body(preferencelist=("plain",)).get_content()
