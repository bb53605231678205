"""The organizer's review of a matching preview: see it, edit it, re-run it, publish it.

A run stores a preview (status `previewed`, nothing sent). Until it is published the
organizer may move a member between groups (checked against the engine's own hard rules
with `worker.matching.check_result`), lock groups and re-run the matching for everyone
else. Publishing queues the match emails; a move after publishing queues update emails
to the members of both groups. Every change is guarded by `Meetup.match_version`, so two
concurrent edits or runs cannot both commit, and every change is written to the audit log.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from flask_babel import gettext
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import Group, GroupMember, Meetup, MeetupStatus, Member
from webapp.models._time import utcnow
from webapp.services import audit, dashboard, emails, match_store, matching, notifications
from webapp.services.errors import ServiceError
from worker.matching import check_result, objective

log = logging.getLogger(__name__)


def _bump(meetup: Meetup, current: MeetupStatus, **values: object) -> None:
    """Claim the next version of the meetup's grouping, or fail if someone else did."""
    won = db.session.execute(
        update(Meetup)
        .where(
            Meetup.id == meetup.id,
            Meetup.status == current,
            Meetup.match_version == meetup.match_version,
        )
        .values(match_version=meetup.match_version + 1, **values)
    ).rowcount
    if not won:
        db.session.rollback()
        raise ServiceError(
            gettext("Someone changed these groups at the same time; please look again.")
        )


def _names(member_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Member.id, Member.display_name).where(Member.id.in_(member_ids))
    )
    return dict(rows.all())


def _readable(problems: list[str], meetup: Meetup) -> str:
    """Engine problems with member and slot keys replaced by names and times."""
    ids = [int(k) for p in problems for k in re.findall(r"'m(\d+)'", p)]
    names = _names(ids)
    slots = {f"slot-{s.id}": f"{s.venue.name} {s.starts_at:%a %H:%M}" for s in meetup.slots}
    text = "; ".join(problems[:3])
    text = re.sub(r"'m(\d+)'", lambda m: names.get(int(m.group(1)), "someone"), text)
    text = re.sub(r"'(slot-\d+)'", lambda m: slots.get(m.group(1), "that slot"), text)
    text = re.sub(r"groups\[\d+\]: ", "", text)
    # The rule's own words come from the engine's validator, in English.
    return gettext("That change breaks a rule: %(rules)s.", rules=text)


def move_member(meetup: Meetup, actor: Member | None, member_id: int, group_id: int) -> list[int]:
    """Move a member (grouped or unmatched) into another group; return queued email ids."""
    if meetup.status not in (MeetupStatus.PREVIEWED, MeetupStatus.MATCHED):
        raise ServiceError(gettext("There are no groups to change yet."))
    grouping = match_store.grouping_of(meetup)
    if group_id not in grouping:
        raise ServiceError(gettext("Please choose one of this meetup's groups."), field="group_id")
    reasons = {u["member_id"]: u["reason"] for u in meetup.unmatched}
    source = next((g for g, members in grouping.items() if member_id in members), None)
    if source is None and member_id not in reasons:
        raise ServiceError(gettext("That member is not part of this meetup."), field="member_id")
    if source == group_id:
        raise ServiceError(gettext("They are already in that group."), field="group_id")
    if source is not None:
        grouping[source].remove(member_id)
    reasons.pop(member_id, None)
    grouping[group_id].append(member_id)
    instance = matching.build_instance(meetup)
    problems = check_result(instance, match_store.as_result(meetup, grouping, reasons))
    if problems:
        raise ServiceError(_readable(problems, meetup), field="group_id")
    published = meetup.status == MeetupStatus.MATCHED
    _bump(meetup, meetup.status)
    seat = db.session.scalar(
        select(GroupMember).where(
            GroupMember.meetup_id == meetup.id, GroupMember.member_id == member_id
        )
    )
    if seat is None:
        db.session.add(GroupMember(group_id=group_id, meetup_id=meetup.id, member_id=member_id))
    else:
        seat.group_id = group_id
    meetup.unmatched = [{"member_id": m, "reason": r} for m, r in reasons.items()]
    for changed in {group_id, source} - {None}:
        group = db.session.get(Group, changed)
        group.score = round(objective(instance, [[f"m{m}" for m in grouping[changed]]]), 6)
    name = _names([member_id]).get(member_id, "a member")
    audit.record(
        meetup.community_id,
        actor,
        "group.member_moved",
        f"Moved {name} to another group in {meetup.title}"
        + (" (after publishing: update emails sent)" if published else ""),
        meetup_id=meetup.id,
        member_id=member_id,
        from_group=source,
        to_group=group_id,
    )
    db.session.flush()
    queued = []
    if published:
        db.session.expire_all()
        for changed in {group_id, source} - {None}:
            queued += emails.queue_group_update_emails(db.session.get(Group, changed))
    db.session.commit()
    log.info("meetup %s: member %s moved to group %s", meetup.id, member_id, group_id)
    return [e.id for e in queued]


def set_locked(meetup: Meetup, actor: Member | None, group_id: int, locked: bool) -> None:
    """Lock a group so a re-run keeps it, or unlock it again."""
    if meetup.status != MeetupStatus.PREVIEWED:
        raise ServiceError(gettext("Groups can be locked only while the preview is unpublished."))
    if group_id not in {g.id for g in meetup.groups}:
        raise ServiceError(gettext("Please choose one of this meetup's groups."))
    ids = set(meetup.locked_group_ids or [])
    ids = ids | {group_id} if locked else ids - {group_id}
    meetup.locked_group_ids = sorted(ids)
    audit.record(
        meetup.community_id,
        actor,
        "group.locked" if locked else "group.unlocked",
        f"{'Locked' if locked else 'Unlocked'} a group in {meetup.title}",
        meetup_id=meetup.id,
        group_id=group_id,
    )
    db.session.commit()
    log.info("meetup %s: group %s locked=%s", meetup.id, group_id, locked)


def rerun(meetup: Meetup, actor: Member | None) -> None:
    """Match everyone outside the locked groups again; the locked groups stay as they are."""
    if meetup.status != MeetupStatus.PREVIEWED:
        raise ServiceError(gettext("Matching can be re-run only until the groups are published."))
    locked = [g for g in meetup.groups if g.id in set(meetup.locked_group_ids or [])]
    keep = {seat.member_id for g in locked for seat in g.members}
    seats_taken = Counter({g.slot_id: 0 for g in locked})
    for g in locked:
        seats_taken[g.slot_id] += len(g.members)
    instance = matching.build_instance(meetup, exclude=keep, seats_taken=seats_taken)
    result = matching.solve_for(meetup, instance)
    _bump(meetup, MeetupStatus.PREVIEWED)
    for group in meetup.groups:
        if group.id not in {g.id for g in locked}:
            db.session.delete(group)
    db.session.flush()
    match_store.store_result(meetup, result)
    audit.record(
        meetup.community_id,
        actor,
        "matching.rerun",
        f"Re-ran matching for {meetup.title} keeping {len(locked)} locked groups: "
        f"{len(result['groups'])} new groups, {len(result['unmatched'])} unmatched",
        meetup_id=meetup.id,
    )
    db.session.commit()
    db.session.expire(meetup)
    log.info("meetup %s re-run around %s locked groups", meetup.id, len(locked))


def publish(meetup: Meetup, actor: Member | None, *, notify: bool = True) -> list[int]:
    """Publish the preview: members are told (one match email each); return the email ids."""
    if meetup.status != MeetupStatus.PREVIEWED:
        raise ServiceError(gettext("Only a previewed meetup can be published."))
    now = utcnow()
    _bump(meetup, MeetupStatus.PREVIEWED, status=MeetupStatus.MATCHED, published_at=now)
    db.session.expire(meetup)
    queued = []
    if notify:
        queued = emails.queue_match_emails(*meetup.groups)
        notifications.queue_not_placed(meetup, now)
    email_ids = [email.id for email in queued]  # read before the commit expires them
    audit.record(
        meetup.community_id,
        actor,
        "matching.published",
        f"Published {len(meetup.groups)} groups of {meetup.title}"
        + ("" if actor else " automatically at the opt-in deadline"),
        meetup_id=meetup.id,
        emails=len(queued),
    )
    dashboard.forget(meetup.community_id)
    db.session.commit()
    log.info("meetup %s published: %s emails queued", meetup.id, len(email_ids))
    return email_ids
