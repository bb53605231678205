"""A member's group as a calendar file (.ics), through the pipeline's RFC 5545 writer
(`services/calendar.py`): same UID as the invite emails, so it updates the same event."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext

from webapp.models import Member
from webapp.services import calendar
from webapp.services.groups import MyGroup


def ics_for(member: Member, mine: MyGroup) -> str:
    """The VCALENDAR for one of the member's groups."""
    base_url = current_app.config["BASE_URL"]
    domain = base_url.split("//")[-1].split("/")[0].split(":")[0] or "hearth"
    organizer_name, organizer_email = parseaddr(current_app.config["MAIL_FROM"])
    venue = mine.group.slot.venue
    community = mine.meetup.community
    if mine.others:
        description = gettext("With %(names)s.", names=", ".join(mine.others))
    else:
        description = gettext("With your group.")
    if mine.shared:
        description += " " + gettext("You all like %(things)s.", things=mine.shared)
    if venue.accessibility_notes:
        description += " " + gettext("Access: %(notes)s", notes=venue.accessibility_notes)
    event = calendar.Event(
        uid=calendar.event_uid(member.id, mine.meetup.id, domain),
        sequence=0,
        starts_at=mine.group.slot.starts_at,
        summary=f"{mine.meetup.title} ({community.name})",
        location=", ".join(p for p in (venue.name, venue.address) if p),
        description=description,
        organizer_name=organizer_name or "Hearth",
        organizer_email=organizer_email or f"hearth@{domain}",
        attendee_name=member.first_name,
        attendee_email=member.email,
        url=f"{base_url}/me/groups/{mine.group.id}",
    )
    return calendar.calendar([event], None)
