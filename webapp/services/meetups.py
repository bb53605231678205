"""Meetups: scheduling them (once or as a recurring series), editing and cancelling them.

Every change by an organizer is written to the audit log in the same commit.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.models import (
    Community,
    Frequency,
    MatchingPolicy,
    Meetup,
    MeetupSeries,
    MeetupSlot,
    MeetupStatus,
    Member,
    Venue,
)
from webapp.models._time import utcnow
from webapp.services import audit, emails
from webapp.services.errors import ServiceError
from webapp.services.places import Point, check_point
from webapp.timeutil import to_local, to_utc

log = logging.getLogger(__name__)

#: The most occurrences one series may create at once.
MAX_OCCURRENCES = 26


@dataclass(frozen=True)
class SlotSpec:
    """One slot as an organizer enters it: local start time and where."""

    starts_at_local: datetime
    venue_name: str
    address: str = ""
    capacity: int = 30
    accessibility_notes: str = ""
    #: The venue's (lat, lon), or None when the organizer gave no coordinates.
    location: Point | None = None


@dataclass(frozen=True)
class MeetupOptions:
    """How a meetup is matched: group sizes, policy and the organizer's switches."""

    group_min: int = 3
    group_max: int = 6
    policy: MatchingPolicy = MatchingPolicy.BALANCED
    welcome_newcomers: bool = False
    standby_enabled: bool = False
    auto_publish: bool = False


def clean_title(title: str) -> str:
    """The title with its spaces tidied, or a ServiceError if it is too short or long."""
    title = " ".join((title or "").split())
    if not 2 <= len(title) <= 120:
        raise ServiceError(gettext("Titles need 2 to 120 characters."), field="title")
    return title


def check_options(options: MeetupOptions) -> MatchingPolicy:
    """The chosen policy, after checking the group sizes (ServiceError otherwise)."""
    if not 2 <= options.group_min <= options.group_max <= 12:
        raise ServiceError(
            gettext("Group sizes must satisfy 2 <= smallest <= largest <= 12."), field="group_min"
        )
    try:
        return MatchingPolicy(options.policy)
    except ValueError:
        raise ServiceError(gettext("Please choose one of the policies."), field="policy") from None


def _build(
    community: Community, title: str, deadline_local: datetime, slots: list[SlotSpec], o
) -> Meetup:
    """A validated, unsaved meetup with its slots and venues."""
    policy = check_options(o)
    if not slots:
        raise ServiceError(gettext("Add at least one time slot."), field="slots")
    deadline = to_utc(deadline_local, community.timezone)
    if deadline <= utcnow():
        raise ServiceError(
            gettext("The opt-in deadline must be in the future."), field="optin_deadline"
        )
    meetup = Meetup(
        community_id=community.id,
        title=title,
        optin_deadline=deadline,
        group_min=o.group_min,
        group_max=o.group_max,
        policy=policy,
        welcome_newcomers=o.welcome_newcomers,
        standby_enabled=o.standby_enabled,
        auto_publish=o.auto_publish,
    )
    for spec in slots:
        starts_at = to_utc(spec.starts_at_local, community.timezone)
        if starts_at <= deadline:
            raise ServiceError(
                gettext("Every slot must start after the opt-in deadline."), field="slots"
            )
        if not 1 <= spec.capacity <= 10_000:
            raise ServiceError(
                gettext("Capacity must be between 1 and 10,000 seats."), field="slots"
            )
        name = " ".join(spec.venue_name.split())
        if not 1 <= len(name) <= 120:
            raise ServiceError(
                gettext("Every slot needs a venue name (up to 120 characters)."), field="slots"
            )
        point = check_point(spec.location, "slots")
        venue = Venue(
            community_id=community.id,
            name=name,
            address=spec.address.strip()[:255],
            capacity=spec.capacity,
            accessibility_notes=spec.accessibility_notes.strip()[:500],
            lat=point[0] if point else None,
            lon=point[1] if point else None,
        )
        meetup.slots.append(MeetupSlot(starts_at=starts_at, venue=venue))
    return meetup


def schedule_meetup(
    community: Community,
    *,
    title: str,
    optin_deadline_local: datetime,
    slots: list[SlotSpec],
    group_min: int = 3,
    group_max: int = 6,
    options: MeetupOptions | None = None,
    actor: Member | None = None,
) -> Meetup:
    """Create a meetup with its slots and venues in one commit; validate everything first."""
    options = options or MeetupOptions(group_min=group_min, group_max=group_max)
    meetup = _build(community, clean_title(title), optin_deadline_local, slots, options)
    db.session.add(meetup)
    db.session.flush()
    audit.record(
        community, actor, "meetup.scheduled", f"Scheduled {meetup.title}", meetup_id=meetup.id
    )
    db.session.commit()
    log.info("meetup %s scheduled in community %s", meetup.id, community.id)
    return meetup


def shift(local: datetime, frequency: Frequency, n: int) -> datetime:
    """The n-th repetition of a local time: +n weeks, +2n weeks, or the same day n months on
    (clamped to the month's last day)."""
    if frequency == Frequency.WEEKLY:
        return local + timedelta(weeks=n)
    if frequency == Frequency.FORTNIGHTLY:
        return local + timedelta(weeks=2 * n)
    month = local.month - 1 + n
    year, month = local.year + month // 12, month % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def schedule_series(
    community: Community,
    *,
    title: str,
    frequency: Frequency | str,
    occurrences: int,
    optin_deadline_local: datetime,
    slots: list[SlotSpec],
    options: MeetupOptions,
    actor: Member | None = None,
) -> MeetupSeries:
    """A recurring series: `occurrences` meetups, each an editable, cancellable meetup."""
    try:
        frequency = Frequency(frequency)
    except ValueError:
        raise ServiceError(
            gettext("Please choose how often it repeats."), field="frequency"
        ) from None
    if not 1 <= occurrences <= MAX_OCCURRENCES:
        raise ServiceError(
            gettext("A series has 1 to %(most)s meetups.", most=MAX_OCCURRENCES),
            field="occurrences",
        )
    title = clean_title(title)
    series = MeetupSeries(community_id=community.id, title=title, frequency=frequency)
    db.session.add(series)
    for n in range(occurrences):
        repeated = [
            SlotSpec(
                shift(s.starts_at_local, frequency, n),
                s.venue_name,
                s.address,
                s.capacity,
                s.accessibility_notes,
                s.location,
            )
            for s in slots
        ]
        deadline = shift(optin_deadline_local, frequency, n)
        meetup = _build(community, title, deadline, repeated, options)
        meetup.series = series
        db.session.add(meetup)
    db.session.flush()
    audit.record(
        community,
        actor,
        "series.scheduled",
        f"Scheduled {title}: {occurrences} meetups, {frequency.value}",
        series_id=series.id,
    )
    db.session.commit()
    log.info("series %s scheduled: %s meetups", series.id, occurrences)
    return series


def edit_meetup(
    meetup: Meetup,
    actor: Member | None,
    *,
    title: str,
    optin_deadline_local: datetime,
    options: MeetupOptions,
) -> None:
    """Change an open meetup's title, deadline, group sizes, policy and switches (slots and
    venues, and whole series: `meetup_edits.apply_edit`)."""
    from webapp.services.meetup_edits import MeetupEdit, apply_edit

    apply_edit(
        meetup,
        actor,
        MeetupEdit(title=title, optin_deadline_local=optin_deadline_local, options=options),
    )


def cancel_meetup(meetup: Meetup, actor: Member | None) -> int:
    """Cancel a meetup; a preview is discarded, a published one tells its members (calendar
    cancellation). Returns how many cancellation emails were queued."""
    if meetup.status == MeetupStatus.CANCELLED:
        raise ServiceError(gettext("This meetup is already cancelled."))
    queued = 0
    if meetup.status == MeetupStatus.MATCHED:
        queued = len(emails.queue_cancellation(meetup, reason=_l("The organizers cancelled it.")))
    else:
        for group in list(meetup.groups):
            db.session.delete(group)
    meetup.status = MeetupStatus.CANCELLED
    audit.record(
        meetup.community_id,
        actor,
        "meetup.cancelled",
        f"Cancelled {meetup.title}" + (f" ({queued} members emailed)" if queued else ""),
        meetup_id=meetup.id,
    )
    db.session.commit()
    log.info("meetup %s cancelled", meetup.id)
    return queued


def local_deadline(meetup: Meetup) -> datetime:
    """The meetup's deadline as a naive local time, for filling in the edit form."""
    return to_local(meetup.optin_deadline, meetup.community.timezone).replace(tzinfo=None)
