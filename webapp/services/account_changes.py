"""Recovering and changing an account: password reset by email (one hour, once), password
change, and moving the account to a new address once that address confirms.

Like sign-up, none of these tells a visitor whether an address has an account: a reset
for an unknown address silently sends nothing, and a move to a taken address sends its
owner a note instead. Functions return the ids of the emails they queued.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Member
from webapp.models._time import utcnow
from webapp.models.members import new_session_token
from webapp.services import emails, tokens
from webapp.services.accounts import (
    hash_password,
    member_by_email,
    normalise_email,
    queue_account_email,
    recently_sent,
    verify_password,
)
from webapp.services.errors import ServiceError
from webapp.services.tokens import Purpose

log = logging.getLogger(__name__)


def request_password_reset(email: str) -> list[int]:
    """Queue a reset link if the address has an account; silently nothing otherwise."""
    try:
        email = normalise_email(email)
    except ServiceError:
        return []
    member = member_by_email(email)
    if member is None or recently_sent("password_reset", member.email):
        return []
    payload = {"m": member.id, "p": tokens.password_fingerprint(member.password_hash)}
    queued = queue_account_email(
        "password_reset",
        member,
        _l("Reset your Hearth password"),
        "reset",
        link=tokens.link(Purpose.RESET, payload),
    )
    db.session.commit()
    log.info("password reset requested for member %s", member.id)
    return [queued.id]


def member_for_reset(token: str) -> Member:
    """The member a reset link is for, while it is valid (one hour, password unchanged)."""
    data = tokens.read(Purpose.RESET, token)
    member = db.session.get(Member, data["m"])
    if (
        member is None
        or member.deleted_at is not None
        or tokens.password_fingerprint(member.password_hash) != data.get("p")
    ):
        raise ServiceError(gettext("This link has already been used or is out of date."))
    return member


def reset_password(token: str, new_password: str) -> Member:
    """Set a new password from a reset link; the link and every old session stop working."""
    member = member_for_reset(token)
    _set_password(member, new_password)
    if not member.email_confirmed:  # the link reached the inbox: the address is theirs
        member.email_confirmed_at = utcnow()
    db.session.commit()
    log.info("member %s reset their password", member.id)
    return member


def _set_password(member: Member, new_password: str) -> None:
    member.password_hash = hash_password(new_password)
    member.session_token = new_session_token()


def change_password(member: Member, current: str, new_password: str) -> list[int]:
    """Change the password after checking the current one; other sessions end."""
    if not verify_password(member, current):
        raise ServiceError(gettext("That is not your current password."), field="current_password")
    try:
        _set_password(member, new_password)
    except ServiceError as error:
        raise ServiceError(error.message, field="new_password") from None
    queued = queue_account_email(
        "account_notice",
        member,
        _l("Your Hearth password was changed"),
        "notice",
        message=_l("The password of your Hearth account was just changed."),
    )
    db.session.commit()
    log.info("member %s changed their password", member.id)
    return [queued.id]


def request_email_change(member: Member, current: str, new_email: str) -> list[int]:
    """Send a confirmation link to the new address; nothing changes until it is opened.

    A new address that already has an account gets a note instead; the page looks the same.
    """
    if not verify_password(member, current):
        raise ServiceError(gettext("That is not your current password."), field="current_password")
    try:
        new_email = normalise_email(new_email)
    except ServiceError as error:
        raise ServiceError(error.message, field="new_email") from None
    if new_email == member.email:
        raise ServiceError(gettext("That is already your address."), field="new_email")
    if member_by_email(new_email) is not None:
        if recently_sent("email_taken", new_email):
            return []
        body = render_template(
            "auth/email/email_taken.txt",
            address=new_email,
            base_url=current_app.config["BASE_URL"],
        )
        queued = emails.queue(
            kind="email_taken",
            to_address=new_email,
            subject=gettext("Someone tried to use your address on Hearth"),
            body_text=body,
        )
    else:
        payload = {"m": member.id, "old": member.email, "new": new_email}
        with email_language(member):
            body = render_template(
                "auth/email/change_email.txt",
                member=member,
                link=tokens.link(Purpose.CHANGE_EMAIL, payload),
            )
            subject = gettext("Confirm your new address for Hearth")
        queued = emails.queue(
            kind="confirm_new_email",
            to_address=new_email,
            subject=subject,
            body_text=body,
            member_id=member.id,
        )
    db.session.commit()
    log.info("member %s asked to change their email", member.id)
    return [queued.id]


def confirm_email_change(token: str) -> tuple[Member, list[int]]:
    """Move the account to the address the link was sent to; tell the old address."""
    data = tokens.read(Purpose.CHANGE_EMAIL, token)
    member = db.session.get(Member, data["m"])
    if member is None or member.deleted_at is not None or member.email != data.get("old"):
        raise ServiceError(gettext("This link has already been used or is out of date."))
    new_email = normalise_email(str(data.get("new", "")))
    if member_by_email(new_email) is not None:
        raise ServiceError(gettext("That address now belongs to another account."))
    old_email = member.email
    member.email = new_email
    member.email_confirmed_at = utcnow()
    with email_language(member):
        notice = render_template(
            "auth/email/notice.txt",
            member=member,
            base_url=current_app.config["BASE_URL"],
            message=gettext(
                "Your Hearth account now uses a new email address instead of %(old)s.",
                old=old_email,
            ),
        )
        subject = gettext("Your Hearth email address was changed")
    queued = emails.queue(
        kind="account_notice",
        to_address=old_email,
        subject=subject,
        body_text=notice,
        member_id=member.id,
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(gettext("That address now belongs to another account.")) from None
    log.info("member %s changed their email", member.id)
    return member, [queued.id]
