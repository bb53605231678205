"""Delivering outbox rows to a real SMTP server (aiosmtpd in the test process)."""

from __future__ import annotations

from tests.services import free_port
from webapp.extensions import db
from webapp.models import OutboxEmail, OutboxStatus
from webapp.services import emails, outbox


def _queued(subject: str = "Hello") -> OutboxEmail:
    email = emails.queue(
        kind="test", to_address="sam@example.org", subject=subject, body_text="Hi Sam"
    )
    db.session.commit()
    return email


def test_a_pending_row_is_sent_once(app, smtp_server):  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    email = _queued()
    assert outbox.deliver(email.id) is True
    assert outbox.deliver(email.id) is False  # already sent: nothing happens
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "sam@example.org"
    assert message["Subject"] == "Hello"
    assert message["Message-ID"] == f"<outbox-{email.id}@127.0.0.1>"
    assert message.get_content().strip() == "Hi Sam"
    db.session.refresh(email)
    assert email.status == OutboxStatus.SENT and email.sent_at is not None and email.attempts == 1
    assert outbox.pending_ids() == []


def test_an_unreachable_server_leaves_the_row_pending_for_the_sweeper(app):  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    email = _queued()
    assert outbox.deliver(email.id) is False
    db.session.refresh(email)
    assert email.status == OutboxStatus.PENDING
    assert email.attempts == 1 and "ConnectionRefusedError" in email.last_error
    assert outbox.pending_ids() == [email.id]


def test_unknown_row_is_a_no_op(app):  # type: ignore[no-untyped-def]
    assert outbox.deliver(123456) is False
