"""Delivering outbox rows over SMTP.

Rows are written in the transaction of the change that causes them (see `emails`); this
module only sends what is committed, marks it, and lists what is still due.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import OutboxEmail, OutboxStatus
from webapp.models._time import utcnow

log = logging.getLogger(__name__)


def message_id(email: OutboxEmail) -> str:
    """A Message-ID derived from the row, so a re-send is recognisably the same message."""
    domain = current_app.config["BASE_URL"].split("//")[-1].split("/")[0].split(":")[0] or "hearth"
    return f"<outbox-{email.id}@{domain}>"


def build_message(email: OutboxEmail) -> EmailMessage:
    """The RFC 5322 message for an outbox row."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = email.to_address
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(email) if email.id else make_msgid()
    msg.set_content(email.body_text)
    return msg


def deliver(email_id: int) -> bool:
    """Send one pending row; return True if it was sent now, False if nothing was due."""
    email = db.session.get(OutboxEmail, email_id)
    if email is None or email.status != OutboxStatus.PENDING:
        return False
    config = current_app.config
    email.attempts += 1
    try:
        with smtplib.SMTP(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        ) as smtp:
            if config["SMTP_TLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(build_message(email))
    except smtplib.SMTPRecipientsRefused as exc:
        email.status = OutboxStatus.FAILED
        email.last_error = str(exc)[:500]
        db.session.commit()
        log.warning("email %s refused by the server", email.id)
        return False
    except (OSError, smtplib.SMTPException) as exc:
        email.last_error = f"{type(exc).__name__}: {exc}"[:500]
        db.session.commit()
        log.warning(
            "email %s not delivered yet (%s); the sweeper will retry", email.id, type(exc).__name__
        )
        return False
    email.status = OutboxStatus.SENT
    email.sent_at = utcnow()
    db.session.commit()
    log.info("email %s sent (%s)", email.id, email.kind)
    return True


def pending_ids(limit: int = 500) -> list[int]:
    """Ids of rows still waiting to be sent, oldest first."""
    return list(
        db.session.scalars(
            select(OutboxEmail.id)
            .where(OutboxEmail.status == OutboxStatus.PENDING)
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    )
