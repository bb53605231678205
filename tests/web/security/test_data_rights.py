"""Deleting an account (issue 8, item 11), checked where the data could hide: no column of
any table still holds the member's email or private details, mail queued to them is cancelled
and never sent (a real SMTP server is listening), and the Redis broker's queued tasks carry
outbox ids only, never an address or a name. (Export contents and dead sessions:
tests/web/members/test_privacy.py.)"""

from __future__ import annotations

import base64
import json
import os

import pytest
import redis
from sqlalchemy import String, Text, cast, select

from tests.conftest import REQUIRE_SERVICES
from tests.helpers import PASSWORD, log_in, submit
from tests.web.members.world import (
    community_with,
    free_on,
    matched_group,
    move_to_past,
    open_meetup,
    person,
)
from webapp.extensions import db
from webapp.models import OutboxEmail, OutboxStatus
from webapp.services import checkins, feedback, outbox
from webapp.services.invites import queue_match_emails

EMAIL = "sam@example.org"
SECRETS = ("Sam Lastname", "area-of-sam", "diet-of-sam", "about-sam-talk", "access-of-sam")


@pytest.fixture()
def sam_with_history(app):  # type: ignore[no-untyped-def]
    """Sam with a full profile, a past group with feedback, an upcoming group whose match
    emails are still pending, and a check-in."""
    sam, ana, ben = person("Sam"), person("Ana"), person("Ben")
    sam.area, sam.diet, sam.about, sam.accessibility_needs = SECRETS[1:]
    free_on(sam, 2, "evening")
    community = community_with([sam, ana, ben])
    past = open_meetup(community)
    group = matched_group(past, [sam, ana, ben])
    move_to_past(past)
    feedback.submit(sam, group, feedback.Answer(True, 5, {ana.id: "again"}, note="note-of-sam"))
    checkins.record(sam, 2, 2, 1)
    upcoming = matched_group(open_meetup(community, days=6), [sam, ana, ben])
    queue_match_emails(upcoming)
    db.session.commit()
    pending = list(
        db.session.scalars(
            select(OutboxEmail.id).where(
                OutboxEmail.to_address == EMAIL, OutboxEmail.status == OutboxStatus.PENDING
            )
        )
    )
    assert pending, "the world should hold mail waiting for Sam"
    return {"sam": sam.id, "pending": pending}


def _holders(needles: tuple[str, ...]) -> list[str]:
    """table.column for every text-like column holding any of the needles."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            as_text = cast(column, Text) if not isinstance(column.type, String) else column
            for needle in needles:
                hit = db.session.scalar(select(column).where(as_text.ilike(f"%{needle}%")).limit(1))
                if hit is not None:
                    found.append(f"{table.name}.{column.name} holds {needle!r}")
    return found


def test_deletion_leaves_no_column_holding_the_email_or_private_details(app, sam_with_history):  # type: ignore[no-untyped-def]
    needles = (EMAIL, *SECRETS, "note-of-sam")
    assert len(_holders(needles)) >= 6  # the scan does find them before deletion
    client = app.test_client()
    log_in(client, EMAIL, PASSWORD)
    response = submit(client, "/account", {"delete-password": PASSWORD}, action="/account/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert _holders(needles) == []


def test_mail_pending_for_a_deleted_member_is_cancelled_and_never_sent(
    app, sam_with_history, smtp_server
):  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, EMAIL, PASSWORD)
    submit(client, "/account", {"delete-password": PASSWORD}, action="/account/delete")
    db.session.expire_all()
    for email_id in sam_with_history["pending"]:
        row = db.session.get(OutboxEmail, email_id)
        assert row.status == OutboxStatus.FAILED and row.last_error == "account deleted"
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    assert {outbox.deliver(i).name for i in sam_with_history["pending"]} == {"SKIPPED"}
    others = db.session.scalars(
        select(OutboxEmail.id).where(OutboxEmail.status == OutboxStatus.PENDING)
    ).all()
    for email_id in others:  # what is still due (the group being told) goes to the others
        outbox.deliver(email_id)
    received = smtp_server.wait_for(len(others)) if others else []
    assert all(message["To"] != EMAIL for message in received)
    assert len(smtp_server.messages) == len(others)


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL") and not REQUIRE_SERVICES, reason="needs the Redis broker"
)
def test_the_broker_holds_ids_only(app, sam_with_history):  # type: ignore[no-untyped-def]
    """Every task message in the test's Celery queues (Redis), including those published by
    the deletion, carries integer ids and no address, name or detail."""
    broker = redis.Redis.from_url(app.config["CELERY"]["broker_url"])
    queues = list(app.config["CELERY"]["task_queues"])
    before = sum(broker.llen(queue) for queue in queues)
    client = app.test_client()
    log_in(client, EMAIL, PASSWORD)
    submit(client, "/account", {"delete-password": PASSWORD}, action="/account/delete")
    raw_messages = [raw for queue in queues for raw in broker.lrange(queue, 0, -1)]
    assert len(raw_messages) > before >= 1  # the match emails, then the group being told
    for raw in raw_messages:
        text = raw.decode()
        envelope = json.loads(text)
        args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        assert kwargs == {}
        flat = [x for arg in args for x in (arg if isinstance(arg, list) else [arg])]
        assert flat and all(type(x) is int for x in flat), args
        body = base64.b64decode(envelope["body"]).decode()
        for secret in (EMAIL, "ana@example.org", *SECRETS):
            assert secret not in text and secret not in body
