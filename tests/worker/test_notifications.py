"""Reminders, feedback requests, "not placed" notices and pauses: due times and no doubles."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.worker import factories
from webapp.extensions import db
from webapp.models import MeetupStatus, Member, OptIn
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail
from webapp.services import emails, notifications

STARTS = datetime(2030, 12, 10, 18, 0)  # naive UTC: 19:00 in Berlin, 10:00 in Los Angeles


def _kinds() -> Counter[str]:
    return Counter(db.session.scalars(select(OutboxEmail.kind)))


def test_reminders_and_feedback_follow_the_community_clock(app):  # type: ignore[no-untyped-def]
    _round, _group, people = factories.published_round(size=3, starts_at=STARTS)
    emails.set_preference(people[0].id, "reminder_morning", False)
    assert notifications.queue_due(datetime(2030, 12, 9, 8, 30)) == 0  # 09:30 Berlin
    assert notifications.queue_due(datetime(2030, 12, 9, 9, 30)) == 3  # 10:30 the day before
    assert notifications.queue_due(datetime(2030, 12, 9, 9, 45)) == 0, "never twice"
    assert notifications.queue_due(datetime(2030, 12, 10, 6, 30)) == 2  # 07:30, one opted out
    assert notifications.queue_due(datetime(2030, 12, 10, 19, 0)) == 0  # meeting right now
    assert notifications.queue_due(datetime(2030, 12, 10, 21, 0)) == 3  # it is over
    assert notifications.queue_due(datetime(2030, 12, 11, 9, 0)) == 0
    assert _kinds() == {"reminder_day_before": 3, "reminder_morning": 2, "feedback_request": 3}
    reminder = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "reminder_morning"))
    assert "Today at 19:00" in reminder.body_text and reminder.sender_name == "Harbour Friends"
    assert "/l/unsubscribe/" in reminder.unsubscribe_url
    assert reminder.unsubscribe_url in reminder.body_text


def test_the_morning_reminder_uses_the_communitys_time_zone(app):  # type: ignore[no-untyped-def]
    factories.published_round(size=3, starts_at=STARTS, timezone="America/Los_Angeles")
    assert notifications.queue_due(datetime(2030, 12, 10, 6, 30)) == 3  # 22:30 the day before
    assert _kinds() == {"reminder_day_before": 3}
    assert notifications.queue_due(datetime(2030, 12, 10, 15, 30)) == 3  # 07:30 in LA
    assert _kinds()["reminder_morning"] == 3


def test_unplaced_members_hear_why_and_what_next_once(app):  # type: ignore[no-untyped-def]
    round_, _group, people = factories.published_round(size=3, starts_at=STARTS)
    left_out = factories.member(round_.community, 9, "Ola Nordmann")
    db.session.add(OptIn(meetup_id=round_.id, member_id=left_out.id))
    if hasattr(round_, "unmatched"):
        round_.unmatched = [{"member_id": left_out.id, "reason": "no slot shared with others"}]
    db.session.commit()
    now = STARTS - timedelta(days=5)
    assert notifications.queue_due(now) == 1
    assert notifications.queue_due(now) == 0
    notice = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "not_placed"))
    assert notice.member_id == left_out.id
    assert "placed ahead of others" in notice.body_text
    if hasattr(round_, "unmatched"):
        assert "No slot shared with others" in notice.body_text


def test_three_ignored_rounds_pause_a_member_with_a_way_back(app, client):  # type: ignore[no-untyped-def]
    place = factories.community()
    quiet, keen = factories.member(place, 1), factories.member(place, 2)
    now = utcnow()
    rounds = [factories.meetup(place, starts_at=now + timedelta(days=10 + n)) for n in range(3)]
    db.session.add(OptIn(meetup_id=rounds[1].id, member_id=keen.id))
    db.session.commit()
    notifications.queue_due(now)
    assert _kinds() == {"invitation": 5}, "everyone invited to every round they are not in"
    for round_ in rounds:
        round_.optin_deadline = now - timedelta(hours=1)
    db.session.commit()
    assert notifications.queue_due(now) == 1
    db.session.expire_all()
    assert db.session.get(Member, quiet.id).paused_until > now + timedelta(days=300)
    assert db.session.get(Member, keen.id).paused_until is None
    paused = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "paused"))
    assert paused.member_id == quiet.id and "Come back any time" in paused.body_html
    assert notifications.queue_due(now) == 0, "paused once, told once"

    resume = re.search(r"https?://[^/\s]+(/l/resume/\S+)", paused.body_text).group(1)
    assert client.get(resume).status_code == 200
    db.session.expire_all()
    assert db.session.get(Member, quiet.id).paused_until is not None, "GET changes nothing"
    assert client.post(resume).status_code == 200
    db.session.expire_all()
    assert db.session.get(Member, quiet.id).paused_until is None
    later = factories.meetup(place, starts_at=now + timedelta(days=30))
    db.session.commit()
    notifications.queue_due(now)
    invited = db.session.scalars(
        select(OutboxEmail.member_id).where(
            OutboxEmail.kind == "invitation", OutboxEmail.meetup_id == later.id
        )
    ).all()
    assert sorted(invited) == sorted([quiet.id, keen.id])


def _published(name: str, starts_at: datetime, first: int):  # type: ignore[no-untyped-def]
    place = factories.community(name=name)
    round_ = factories.meetup(place, starts_at=starts_at, status=MeetupStatus.MATCHED)
    factories.group(round_, [factories.member(place, first + n) for n in range(3)])
    return round_


def test_the_periodic_run_looks_only_at_meetups_that_may_have_a_notice_due(app):  # type: ignore[no-untyped-def]
    # Issue 16: a deadline publishes thousands of meetups days ahead; the run every few
    # minutes must not walk through all of them (it held a worker for 150 s at 2,000).
    now = datetime(2030, 12, 1, 12, 0)
    soon = _published("Soon Club", now + timedelta(hours=30), 0)
    later = _published("Later Club", now + timedelta(days=5), 10)
    left_out = _published("Left Out Club", now + timedelta(days=5), 20)
    outsider = factories.member(left_out.community, 99)
    db.session.add(OptIn(meetup_id=left_out.id, member_id=outsider.id))
    past = _published("Past Club", now - timedelta(days=3), 30)
    over = _published("Long Ago Club", now - timedelta(days=30), 40)
    db.session.commit()
    found = {m.id for m in notifications._published_with_notices(now)}
    assert found == {soon.id, left_out.id, past.id}, (later.id, over.id)
    assert notifications.queue_due(now) == 3 + 1 + 3
    assert _kinds() == {"reminder_day_before": 3, "not_placed": 1, "feedback_request": 3}


def test_a_run_with_no_notice_due_reads_no_group(app, sql_log):  # type: ignore[no-untyped-def]
    # Issue 16: at 2,000 communities every published meetup lies within the reminder lead
    # for days; the run worked out each group's windows (loading every group, its slot and
    # its meetup's community) and took 19-26 s a tick. Windows are a slot's: groups are
    # read only when a notice is due, and the statements do not grow with the groups.
    round_, _group, _people = factories.published_round(size=3, starts_at=STARTS)
    db.session.commit()
    early = datetime(2030, 12, 9, 6, 0)  # 07:00 in Berlin the day before: nothing due yet

    def statements_of_a_run() -> list[str]:
        db.session.expire_all()
        sql_log.clear()
        assert notifications.queue_due(early) == 0
        return [s.sql for s in sql_log]

    one_group = statements_of_a_run()
    for n in range(6):
        people = [factories.member(round_.community, 10 + 3 * n + k) for k in range(3)]
        factories.group(round_, people)
    db.session.commit()
    seven_groups = statements_of_a_run()
    assert len(seven_groups) == len(one_group)
    assert not [sql for sql in seven_groups if "FROM groups" in sql]
    assert notifications.queue_due(datetime(2030, 12, 9, 9, 30)) == 21  # then all are told
