"""Editing a meetup after it was scheduled: its settings, its time slots and venues, for one
meetup or for one occurrence of a series and every later one.

The rules, checked for every meetup an edit touches; if any refuses, the whole edit is
rolled back (nothing half-written) and the organizer sees why:
- a cancelled meetup is not edited; title, deadline, group sizes and policy change only
  while the meetup is open for opt-ins;
- slots can be added until the groups are published;
- a slot that holds groups (a preview or published groups) cannot be removed;
- removing a slot after members opted in needs the organizer's explicit confirmation
  (they opted in while that time was offered; they stay opted in for the others);
- at least one slot stays, every slot starts after the opt-in deadline, a slot is never
  moved into the past, and a venue never seats fewer members than are placed there.
When a published meetup's slot moves or changes place, the members of its groups get the
usual "your group changed" email (`invites.queue_match_update`) with the new calendar
invite. Every edited meetup gets one audit entry listing what changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import (
    Frequency,
    Group,
    GroupMember,
    Meetup,
    MeetupSlot,
    MeetupStatus,
    Member,
    OptIn,
    Rsvp,
    Venue,
)
from webapp.models._time import utcnow
from webapp.services import audit, emails
from webapp.services.errors import ServiceError
from webapp.services.meetups import MeetupOptions, check_options, clean_title, shift
from webapp.services.places import Point, check_point
from webapp.templating import format_when
from webapp.timeutil import to_local, to_utc

log = logging.getLogger(__name__)

#: The most time slots one meetup may have.
MAX_SLOTS = 10


@dataclass(frozen=True)
class SlotEdit:
    """One slot row of the edit form: an existing slot (by id) or a new one (id None)."""

    slot_id: int | None
    starts_at_local: datetime | None
    venue_name: str = ""
    address: str = ""
    capacity: int = 30
    accessibility_notes: str = ""
    remove: bool = False
    #: The venue's (lat, lon), or None for no coordinates.
    location: Point | None = None


@dataclass(frozen=True)
class MeetupEdit:
    """What the organizer submitted. `title` None leaves the settings alone (a meetup past
    "open" only offers its slots); `slots` None leaves the slots alone."""

    title: str | None = None
    optin_deadline_local: datetime | None = None
    options: MeetupOptions | None = None
    slots: list[SlotEdit] | None = None
    confirm_slot_removal: bool = False


@dataclass
class EditOutcome:
    """The meetups changed, later occurrences left alone (already matched), how many
    update emails were queued, and how many opted-in members of meetups not yet published
    were not told that a time or place changed (the organizer may message them)."""

    edited: list[Meetup] = field(default_factory=list)
    skipped: list[Meetup] = field(default_factory=list)
    emails: int = 0
    untold: int = 0


def apply_edit(
    meetup: Meetup, actor: Member | None, edit: MeetupEdit, *, to_series: bool = False
) -> EditOutcome:
    """Apply an edit to a meetup (and, with `to_series`, to every later occurrence of its
    series that is still open for opt-ins) in one commit, or refuse it whole."""
    targets = [(meetup, 0)]
    outcome = EditOutcome()
    if to_series:
        if meetup.series_id is None:
            raise ServiceError(
                gettext("This meetup is not part of a series."), field="apply_to_series"
            )
        series = db.session.scalars(
            select(Meetup).where(Meetup.series_id == meetup.series_id).order_by(Meetup.id)
        ).all()
        mine = [m.id for m in series].index(meetup.id)
        for k, later in enumerate(series[mine + 1 :], start=1):
            if later.status == MeetupStatus.CANCELLED:
                continue
            if later.status != MeetupStatus.OPEN:  # matched early: its groups stand
                outcome.skipped.append(later)
                continue
            targets.append((later, k))
    positions = {slot.id: i for i, slot in enumerate(meetup.slots)}
    frequency = meetup.series.frequency if meetup.series is not None else Frequency.WEEKLY
    try:
        for target, k in targets:
            queued, untold = _apply_one(target, actor, edit, k, positions, frequency, to_series)
            outcome.emails += queued
            outcome.untold += untold
            outcome.edited.append(target)
    except ServiceError:
        db.session.rollback()
        raise
    db.session.commit()
    log.info("meetups %s edited", [m.id for m in outcome.edited])
    return outcome


def _where(target: Meetup, k: int) -> str:
    """How a refusal names the meetup: nothing for the one being edited, else its date."""
    if k == 0:
        return ""
    first = target.slots[0].starts_at if target.slots else target.optin_deadline
    day = format_when(to_local(first, target.community.timezone), "date")
    return gettext("%(title)s on %(date)s: ", title=target.title, date=day)


def _shown(starts_at: datetime, target: Meetup) -> str:
    """A slot's time as a refusal names it, in the reader's language."""
    return format_when(to_local(starts_at, target.community.timezone), "short_day_time")


def _apply_one(
    target: Meetup,
    actor: Member | None,
    edit: MeetupEdit,
    k: int,
    positions: dict[int, int],
    frequency: Frequency,
    to_series: bool,
) -> tuple[int, int]:
    """Edit one meetup (the k-th occurrence after the edited one); return the emails
    queued and the opted-in members not told of a changed time or place."""
    db.session.refresh(target, with_for_update=True)  # serialise with moves and publishing
    places = _places(target)
    where = _where(target, k)
    if target.status == MeetupStatus.CANCELLED:
        raise ServiceError(where + gettext("This meetup is cancelled; it can no longer be edited."))
    changes: list[str] = []
    before = {"title": target.title, "deadline": target.optin_deadline.isoformat()}
    if edit.title is not None:
        _apply_settings(target, edit, k, frequency, where, changes)
    queued = 0
    if edit.slots is not None:
        queued = _apply_slots(target, edit, k, positions, frequency, where, changes)
    if not target.slots:
        raise ServiceError(where + gettext("A meetup needs at least one time slot."), field="slots")
    if any(slot.starts_at <= target.optin_deadline for slot in target.slots):
        raise ServiceError(
            where + gettext("The opt-in deadline must be before every slot starts."),
            field="optin_deadline" if edit.slots is None else "slots",
        )
    if changes:
        audit.record(
            target.community_id,
            actor,
            "meetup.edited",
            f"Edited {target.title}"
            + (" (applied from an earlier meetup of the series)" if k else "")
            + ": "
            + "; ".join(changes),
            meetup_id=target.id,
            before=before,
            changes=changes,
            series=to_series,
            emails_queued=queued,
        )
    untold = 0
    if target.status != MeetupStatus.MATCHED and _places(target) != places:
        untold = int(
            db.session.scalar(select(func.count(OptIn.id)).where(OptIn.meetup_id == target.id)) or 0
        )
    return queued, untold


def _places(meetup: Meetup) -> dict[int, tuple]:
    """When and where each slot meets, to tell whether an edit moved any."""
    return {s.id: (s.starts_at, s.venue.name, s.venue.address) for s in meetup.slots}


def _apply_settings(
    target: Meetup, edit: MeetupEdit, k: int, frequency: Frequency, where: str, changes: list
) -> None:
    """Title, deadline, group sizes, policy and switches (only while open for opt-ins)."""
    if target.status != MeetupStatus.OPEN:
        raise ServiceError(
            where
            + gettext(
                "Title, deadline, group sizes and policy can only change while the "
                "meetup is open for opt-ins."
            )
        )
    options = edit.options or MeetupOptions()
    policy = check_options(options)
    title = clean_title(edit.title or "")
    if edit.optin_deadline_local is None:
        raise ServiceError(gettext("Please give the opt-in deadline."), field="optin_deadline")
    local = shift(edit.optin_deadline_local, frequency, k) if k else edit.optin_deadline_local
    deadline = to_utc(local, target.community.timezone)
    if deadline == target.optin_deadline.replace(second=0, microsecond=0):
        deadline = target.optin_deadline  # the form shows minutes: unchanged
    if deadline <= utcnow():
        raise ServiceError(
            where + gettext("The opt-in deadline must be in the future."), field="optin_deadline"
        )
    new = {
        "title": title,
        "optin_deadline": deadline,
        "group_min": options.group_min,
        "group_max": options.group_max,
        "policy": policy,
        "welcome_newcomers": options.welcome_newcomers,
        "standby_enabled": options.standby_enabled,
        "auto_publish": options.auto_publish,
    }
    changed = [name for name, value in new.items() if getattr(target, name) != value]
    for name in changed:
        setattr(target, name, new[name])
    if changed:
        changes.append(
            f"settings ({', '.join(n.replace('_', ' ') for n in changed)}; policy "
            f"{policy.value}, groups {options.group_min}-{options.group_max})"
        )


def _placed_at(slot: MeetupSlot) -> int:
    """Members placed in the slot's groups who did not say they cannot come."""
    return int(
        db.session.scalar(
            select(func.count(GroupMember.id))
            .join(Group, Group.id == GroupMember.group_id)
            .where(Group.slot_id == slot.id, GroupMember.rsvp != Rsvp.CANT)
        )
        or 0
    )


def _groups_at(slot: MeetupSlot) -> list[Group]:
    return list(db.session.scalars(select(Group).where(Group.slot_id == slot.id)))


VenueDetails = tuple[str, str, int, str, Point | None]


def _clean_venue(edit: SlotEdit, where: str) -> VenueDetails:
    name = " ".join(edit.venue_name.split())
    if not 1 <= len(name) <= 120:
        raise ServiceError(
            where + gettext("Every slot needs a venue name (up to 120 characters)."), field="slots"
        )
    if not 1 <= edit.capacity <= 10_000:
        raise ServiceError(
            where + gettext("Capacity must be between 1 and 10,000 seats."), field="slots"
        )
    point = check_point(edit.location, "slots")
    notes = edit.accessibility_notes.strip()[:500]
    return name, edit.address.strip()[:255], edit.capacity, notes, point


def _own_venue(slot: MeetupSlot) -> Venue:
    """The slot's venue, copied first if other slots share it (their history stays)."""
    venue = slot.venue
    shared = db.session.scalar(
        select(func.count(MeetupSlot.id)).where(
            MeetupSlot.venue_id == venue.id, MeetupSlot.id != slot.id
        )
    )
    if shared:
        venue = Venue(
            community_id=venue.community_id,
            name=venue.name,
            address=venue.address,
            capacity=venue.capacity,
            accessibility_notes=venue.accessibility_notes,
            lat=venue.lat,
            lon=venue.lon,
        )
        slot.venue = venue
    return venue


def _apply_slots(
    target: Meetup,
    edit: MeetupEdit,
    k: int,
    positions: dict[int, int],
    frequency: Frequency,
    where: str,
    changes: list,
) -> int:
    """Add, change and remove the target's slots; queue update emails for moved groups."""
    tz = target.community.timezone
    existing = list(target.slots)
    queued = 0
    ids = [row.slot_id for row in edit.slots or [] if row.slot_id is not None]
    if len(ids) != len(set(ids)):
        raise ServiceError(gettext("Each slot can appear only once."), field="slots")
    for row in edit.slots or []:
        if row.slot_id is not None and row.slot_id not in positions:
            raise ServiceError(gettext("That slot is not part of this meetup."), field="slots")
        position = positions.get(row.slot_id) if row.slot_id is not None else None
        slot = existing[position] if position is not None and position < len(existing) else None
        if row.remove:
            if slot is not None:
                _remove_slot(target, slot, edit.confirm_slot_removal, where, changes)
            continue
        if row.starts_at_local is None:
            raise ServiceError(where + gettext("Every slot needs a start time."), field="slots")
        local = shift(row.starts_at_local, frequency, k) if k else row.starts_at_local
        starts_at = to_utc(local, tz)
        venue = _clean_venue(row, where)
        if slot is None:
            _add_slot(target, starts_at, venue, where, changes)
        else:
            queued += _change_slot(target, slot, starts_at, venue, where, changes)
    return queued


def _remove_slot(
    target: Meetup, slot: MeetupSlot, confirmed: bool, where: str, changes: list
) -> None:
    when = f"{to_local(slot.starts_at, target.community.timezone):%a %d %b %H:%M}"
    if _groups_at(slot):
        raise ServiceError(
            where
            + gettext(
                "The %(when)s slot already has groups, so it cannot be removed; move its "
                "members to another slot first (or cancel the meetup).",
                when=_shown(slot.starts_at, target),
            ),
            field="slots",
        )
    opted_in = db.session.scalar(select(func.count(OptIn.id)).where(OptIn.meetup_id == target.id))
    picks = _picks_of(target, slot.id)
    only_this = sum(1 for ids in picks.values() if len(ids) == 1)
    if opted_in and not confirmed:
        raise ServiceError(
            where
            + gettext(
                "%(count)s members opted in while the %(when)s slot was offered. Tick "
                "“Yes, remove slots although members opted in” to remove it; they stay opted "
                "in for the other times.",
                count=opted_in,
                when=_shown(slot.starts_at, target),
            )
            + (
                " "
                + gettext(
                    "%(count)s picked only this time: their weekly availability will "
                    "decide instead.",
                    count=only_this,
                )
                if only_this
                else ""
            ),
            field="confirm_slot_removal",
        )
    for optin, ids in picks.items():
        # Forget the removed time; a member left with no pick falls back to their weekly
        # grid (as opt-ins from before picking do) rather than being impossible to place.
        optin.slot_ids = [s for s in ids if s != slot.id] or None
    target.slots.remove(slot)
    changes.append(
        f"removed the {when} slot at {slot.venue.name}"
        + (f" ({opted_in} members had opted in; confirmed)" if opted_in else "")
    )


def _picks_of(target: Meetup, slot_id: int) -> dict[OptIn, list[int]]:
    """The opt-ins of `target` whose picked times include `slot_id`, with their picks."""
    optins = db.session.scalars(select(OptIn).where(OptIn.meetup_id == target.id))
    picks = {o: [int(s) for s in o.slot_ids] for o in optins if o.slot_ids}
    return {o: ids for o, ids in picks.items() if slot_id in ids}


def _add_slot(
    target: Meetup, starts_at: datetime, venue: VenueDetails, where: str, changes
) -> None:
    if target.status == MeetupStatus.MATCHED:
        raise ServiceError(
            where
            + gettext(
                "The groups are published, so a new slot would stay empty; schedule "
                "another meetup instead."
            ),
            field="slots",
        )
    if starts_at <= utcnow():
        raise ServiceError(where + gettext("A new slot must start in the future."), field="slots")
    if len(target.slots) >= MAX_SLOTS:
        raise ServiceError(
            where + gettext("A meetup has at most %(most)s slots.", most=MAX_SLOTS), field="slots"
        )
    name, address, capacity, notes, point = venue
    target.slots.append(
        MeetupSlot(
            starts_at=starts_at,
            venue=Venue(
                community_id=target.community_id,
                name=name,
                address=address,
                capacity=capacity,
                accessibility_notes=notes,
                lat=point[0] if point else None,
                lon=point[1] if point else None,
            ),
        )
    )
    local = to_local(starts_at, target.community.timezone)
    changes.append(f"added a slot {local:%a %d %b %H:%M} at {name}")


def _change_slot(
    target: Meetup,
    slot: MeetupSlot,
    starts_at: datetime,
    venue: VenueDetails,
    where: str,
    changes: list,
) -> int:
    """Change one slot's time and venue; email its published groups if time or place moved."""
    tz = target.community.timezone
    name, address, capacity, notes, point = venue
    old = slot.venue
    was = f"{to_local(slot.starts_at, tz):%a %d %b %H:%M}"
    now_local = f"{to_local(starts_at, tz):%a %d %b %H:%M}"
    moved = starts_at != slot.starts_at
    if moved and starts_at <= utcnow():
        raise ServiceError(where + gettext("A slot cannot be moved into the past."), field="slots")
    placed = _placed_at(slot)
    if capacity < placed:
        raise ServiceError(
            where
            + gettext(
                "%(count)s members are placed in the %(when)s slot, so its venue needs at "
                "least %(count)s seats.",
                count=placed,
                when=_shown(slot.starts_at, target),
            ),
            field="slots",
        )
    relocated = (name, address) != (old.name, old.address)
    details = relocated or (capacity, notes, point) != (
        old.capacity,
        old.accessibility_notes,
        old.location,
    )
    if not moved and not details:
        return 0
    if details:
        own = _own_venue(slot)
        own.name, own.address, own.capacity, own.accessibility_notes = venue[:4]
        own.lat, own.lon = point if point else (None, None)
    if moved:
        slot.starts_at = starts_at
    what = []
    if moved:
        what.append(f"moved the {was} slot to {now_local}")
    if relocated:
        what.append(f"the {now_local} slot now meets at {name}{', ' + address if address else ''}")
    if details and not relocated:
        what.append(f"updated the venue details of the {now_local} slot ({name})")
    changes.extend(what)
    if target.status != MeetupStatus.MATCHED or not (moved or relocated):
        return 0
    note = _update_note(moved, relocated, now_local, name, address)
    db.session.flush()
    queued = sum(len(emails.queue_match_update(group, note)) for group in _groups_at(slot))
    changes.append(f"{queued} members emailed the change")
    return queued


def _update_note(moved: bool, relocated: bool, when: str, name: str, address: str) -> str:
    place = name + (f", {address}" if address else "")
    if moved and relocated:
        return f"The organizers moved it to {when} at {place}."
    if moved:
        return f"The organizers moved it to {when}; the place stays {place}."
    return f"The organizers moved it to a new place: {place}."
