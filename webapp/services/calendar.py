"""RFC 5545 calendar objects: invites (REQUEST), cancellations (CANCEL) and a member's feed.

Written by hand (it is a small, strict text format): CRLF line ends, lines folded at 75
octets without splitting a UTF-8 character, TEXT values escaped, every time in UTC. The
UID is stable per member and meetup, so an update (same UID, higher SEQUENCE) or a
cancellation replaces the event already in the member's calendar. Only the recipient is
listed as ATTENDEE: other members' addresses are never shown to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.models._time import utcnow

#: How long a meetup lasts in members' calendars (slots have a start time only).
MEETUP_LENGTH = timedelta(hours=2)
PRODID = "-//Hearth//Small-group meetups//EN"


@dataclass(frozen=True)
class Event:
    """One meetup as one member sees it."""

    uid: str
    sequence: int
    starts_at: datetime  # naive UTC
    summary: str
    location: str
    description: str
    organizer_name: str
    organizer_email: str
    attendee_name: str
    attendee_email: str
    url: str = ""
    cancelled: bool = False


def event_uid(member_id: int, meetup_id: int, domain: str) -> str:
    """The stable UID of a member's event for a meetup."""
    return f"meetup-{meetup_id}-member-{member_id}@{domain}"


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def quote_param(value: str) -> str:
    """A parameter value, quoted, without the characters a quoted value cannot hold."""
    return '"' + value.replace('"', "'").replace("\r", " ").replace("\n", " ") + '"'


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 3.1)."""
    if len(line.encode()) <= 75:  # most lines: nothing to fold (21 lines per invite)
        return line
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def utc_stamp(moment: datetime) -> str:
    """A naive-UTC datetime in the UTC form 19970714T173000Z."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{utc_stamp(utcnow())}",
        f"DTSTART:{utc_stamp(event.starts_at)}",
        f"DTEND:{utc_stamp(event.starts_at + MEETUP_LENGTH)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"LOCATION:{escape_text(event.location)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"ORGANIZER;CN={quote_param(event.organizer_name)}:mailto:{event.organizer_email}",
        f"ATTENDEE;CN={quote_param(event.attendee_name)};ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{event.attendee_email}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
    ]
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: list[Event], method: str | None) -> str:
    """A VCALENDAR with the given events; `method` REQUEST/CANCEL for email, None for feeds."""
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    for event in events:
        lines.extend(_event_lines(event))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def invite(event: Event) -> str:
    """An invitation (or an update, with a higher SEQUENCE) for one event."""
    return calendar([event], "REQUEST")


def cancellation(event: Event) -> str:
    """A cancellation of an event the member already has (same UID, higher SEQUENCE)."""
    cancelled = Event(**{**event.__dict__, "cancelled": True})
    return calendar([cancelled], "CANCEL")
