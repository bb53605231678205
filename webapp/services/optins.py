"""Members opting in to, or out of, a community's meetups, and the times they can make.

An opt-in that can never be placed is refused rather than accepted silently (issue 14): a
member opts in for the meetup's slots they can make. On the opt-in page they tick those
times (pre-ticked from their weekly availability grid, each marked with whether the grid
covers it and whether the venue is within their travel distance); the picks are stored on
the opt-in (`OptIn.slot_ids`) and matching uses them. A one-click opt-in (the invitation
email's link) has no picks: the grid decides, now and at matching time. Either way, an
opt-in with no time the member can make is refused with `NoTimeError`, whose message says
how to fix it. A member who never filled in the grid counts as free at any time (as
matching treats them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Meetup, MeetupSlot, MeetupStatus, Member, Membership, OptIn
from webapp.models._time import utcnow
from webapp.services.communities import role_of
from webapp.services.errors import ServiceError
from webapp.services.pauses import is_paused
from webapp.services.places import distance_km
from webapp.services.profiles import free_windows
from webapp.timeutil import to_local, weekly_window

log = logging.getLogger(__name__)


class NoTimeError(ServiceError):
    """An opt-in refused because the member can make none of the meetup's times; views
    offer the ways out (tick a time on the opt-in page, or edit the availability grid)."""

    def __init__(self, message: str, meetup_id: int) -> None:
        super().__init__(message, field="slots")
        self.meetup_id = meetup_id


@dataclass(frozen=True)
class SlotChoice:
    """One of a meetup's times as the opt-in page shows it to a member."""

    slot: MeetupSlot
    #: The start in the community's time zone.
    starts: datetime
    #: True if the member's weekly grid covers this time (or they gave no grid at all).
    in_grid: bool
    #: Home-to-venue distance in km when both points are known, else None.
    distance_km: float | None
    #: False only when the venue is known to be beyond the member's travel distance.
    within_reach: bool
    #: Ticked on the page: the member's earlier picks, else what the grid covers.
    ticked: bool

    @property
    def can_make(self) -> bool:
        """Covered by the grid and not known to be too far."""
        return self.in_grid and self.within_reach


def slot_choices(
    member: Member, meetup: Meetup, picks: Iterable[int] | None = None
) -> list[SlotChoice]:
    """The meetup's times for this member, marked (see SlotChoice). `picks` overrides the
    ticks (a submitted form); by default an existing opt-in's picks, else the grid."""
    tz = meetup.community.timezone
    windows = free_windows(member)
    if picks is None:
        picks = _stored_picks(member, meetup)
    chosen = None if picks is None else {int(p) for p in picks}
    choices = []
    for slot in meetup.slots:
        in_grid = not windows or weekly_window(slot.starts_at, tz) in windows
        distance = None
        if member.home is not None and slot.venue.location is not None:
            distance = distance_km(member.home, slot.venue.location)
        reach = distance is None or member.travel_km is None or distance <= member.travel_km
        choices.append(
            SlotChoice(
                slot=slot,
                starts=to_local(slot.starts_at, tz),
                in_grid=in_grid,
                distance_km=None if distance is None else round(distance, 1),
                within_reach=reach,
                ticked=slot.id in chosen if chosen is not None else in_grid and reach,
            )
        )
    return choices


def _stored_picks(member: Member, meetup: Meetup) -> list[int] | None:
    return db.session.scalar(
        select(OptIn.slot_ids).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)
    )


def parse_slot_ids(values: Iterable[str]) -> list[int]:
    """Slot ids from raw form values; ServiceError for anything that is not one."""
    ids = []
    for value in values:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 12:
            raise ServiceError(gettext("That time is not one of this meetup's."), field="slots")
        ids.append(int(text))
    return ids


def _checked_picks(member: Member, meetup: Meetup, slot_ids: Iterable[int]) -> list[int]:
    """The picked slot ids, sorted, after checking each is the meetup's and that at least
    one of them is within reach (NoTimeError otherwise)."""
    picked = sorted(set(slot_ids))
    own = {slot.id for slot in meetup.slots}
    if any(slot_id not in own for slot_id in picked):
        raise ServiceError(gettext("That time is not one of this meetup's."), field="slots")
    if not picked:
        raise NoTimeError(
            "Please tick at least one time you can make, so we can place you in a group.",
            meetup.id,
        )
    reachable = [c for c in slot_choices(member, meetup, picked) if c.ticked and c.within_reach]
    if not reachable:
        raise NoTimeError(
            "The times you ticked are all at venues beyond your travel distance "
            f"({member.travel_km} km), so we could not place you. Tick a nearer one, or "
            "raise your travel distance in your profile.",
            meetup.id,
        )
    return picked


def _check_grid(member: Member, meetup: Meetup) -> None:
    """For an opt-in without picks: NoTimeError unless the grid covers a time within reach."""
    choices = slot_choices(member, meetup, picks=[])
    if any(c.can_make for c in choices):
        return
    times = ", ".join(f"{c.starts:%a %d %b %H:%M}" for c in choices)
    if any(c.in_grid for c in choices):
        raise NoTimeError(
            f"The times of {meetup.title} that fit your week ({times}) are all at venues "
            f"beyond your travel distance ({member.travel_km} km). Choose the times you can "
            "make for this meetup, or change your travel distance in your profile.",
            meetup.id,
        )
    raise NoTimeError(
        f"None of the times of {meetup.title} ({times}) is in the times you said you are "
        "usually free, so we could not place you. Tick the times you can make for this "
        "meetup, or update when you are free in your profile.",
        meetup.id,
    )


def is_open_for_optin(meetup: Meetup) -> bool:
    """True while members may still opt in or out."""
    return meetup.status == MeetupStatus.OPEN and meetup.optin_deadline > utcnow()


def opt_in(member: Member, meetup: Meetup, slot_ids: Iterable[int] | None = None) -> bool:
    """Opt a community member in for the times they picked (`slot_ids`; None: whatever
    their weekly grid covers). Return False if they already were in; picks given then
    replace their earlier ones. NoTimeError when they could make none of the times."""
    if role_of(member, meetup.community) is None:
        raise ServiceError(gettext("Join the community first to take part in its meetups."))
    if not member.email_confirmed:
        raise ServiceError(
            gettext("Please confirm your email address first: open the link we sent you.")
        )
    if is_paused(member):
        raise ServiceError(gettext("You paused matching. Resume it on your page to opt in."))
    if not is_open_for_optin(meetup):
        raise ServiceError(gettext("Opt-in for this meetup has closed."))
    picks = None if slot_ids is None else _checked_picks(member, meetup, slot_ids)
    existing = db.session.scalar(
        select(OptIn).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)
    )
    if existing is not None:
        if picks is not None and existing.slot_ids != picks:
            existing.slot_ids = picks
            db.session.commit()
            log.info("member %s changed their times for meetup %s", member.id, meetup.id)
        return False
    if picks is None:
        _check_grid(member, meetup)
    db.session.add(OptIn(meetup_id=meetup.id, member_id=member.id, slot_ids=picks))
    db.session.commit()
    log.info("member %s opted in to meetup %s", member.id, meetup.id)
    return True


def is_opted_in(member: Member, meetup: Meetup) -> bool:
    """True if the member opted in to the meetup."""
    return bool(
        db.session.scalar(
            select(OptIn.id).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)
        )
    )


def opt_out(member: Member, meetup: Meetup) -> None:
    """Withdraw a member's opt-in while the meetup is still open."""
    if not is_open_for_optin(meetup):
        raise ServiceError(
            gettext("Opt-in for this meetup has closed, so it can no longer be changed.")
        )
    db.session.execute(
        delete(OptIn).where(OptIn.meetup_id == meetup.id, OptIn.member_id == member.id)
    )
    db.session.commit()
    log.info("member %s opted out of meetup %s", member.id, meetup.id)


#: The home page's open meetups, built once (building a statement costs more CPU than
#: running it): each with its community, slots and venues, and whether the member opted in.
_UPCOMING = (
    select(
        Meetup,
        select(OptIn.id)
        .where(OptIn.member_id == bindparam("member_id"), OptIn.meetup_id == Meetup.id)
        .exists()
        .label("opted"),
    )
    .options(joinedload(Meetup.community), joinedload(Meetup.slots).joinedload(MeetupSlot.venue))
    .join(Membership, Membership.community_id == Meetup.community_id)
    .where(
        Membership.member_id == bindparam("member_id"),
        Meetup.status == MeetupStatus.OPEN,
        Meetup.optin_deadline > bindparam("now"),
    )
    .order_by(Meetup.optin_deadline, Meetup.id)
)


def upcoming_for(member: Member) -> list[tuple[Meetup, bool]]:
    """Open meetups in the member's communities, with whether they opted in (one query:
    the member's home page is the busiest page)."""
    rows = db.session.execute(_UPCOMING, {"member_id": member.id, "now": utcnow()}).unique()
    return [(meetup, bool(is_in)) for meetup, is_in in rows]
