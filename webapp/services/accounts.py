"""Member accounts: sign-up with email confirmation, log-in checks, Argon2id hashes
(resets and changes of address or password live in `account_changes`).

Every email is an outbox row written in the same transaction as the change; the functions
return the ids of the rows they queued so the caller can hand them to the worker after the
commit (`notify.send_after_commit`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_request_context, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Member, OutboxEmail
from webapp.models._time import utcnow
from webapp.models.members import new_session_token
from webapp.services import emails, tokens
from webapp.services.delivery_queue import ACCOUNT_KINDS
from webapp.services.errors import ServiceError
from webapp.services.password_policy import check_new_password
from webapp.services.tokens import Purpose

log = logging.getLogger(__name__)

#: OWASP's Argon2id minimum: 19 MiB, two passes, one lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: Checked against when no account matches, so a miss costs what a hit costs.
_DUMMY_HASH = _hasher.hash("hearth-dummy-password")

#: At most one email of a kind (sign-up attempt, reset ...) per address in this time.
THROTTLE = timedelta(minutes=5)


def normalise_email(email: str) -> str:
    """Trim and lower-case an address; raise ServiceError if it is plainly not one."""
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    if (
        not local
        or "." not in domain
        or len(email) > 254
        or any(c.isspace() or not c.isprintable() for c in email)
    ):
        raise ServiceError(gettext("Please enter a valid email address."), field="email")
    return email


def hash_password(password: str) -> str:
    """Hash a new password after checking it (length, never truncated; not a common one)."""
    check_new_password(password)
    return _hasher.hash(password)


@dataclass(frozen=True)
class SignUpOutcome:
    """What sign-up did; the view shows the same page either way (never which one)."""

    member: Member | None
    email_ids: list[int]


def sign_up(email: str, password: str, display_name: str) -> SignUpOutcome:
    """Create an unconfirmed account and queue its confirmation link.

    If the address already has an account, nothing is created and its owner gets an email
    instead ("someone tried to sign up with your address"), so the response cannot tell a
    visitor whether an address is registered. Raises ServiceError only for invalid input.
    """
    email = normalise_email(email)
    display_name = " ".join((display_name or "").split())
    if not 1 <= len(display_name) <= 80:
        raise ServiceError(
            gettext("Please tell us what to call you (up to 80 characters)."), field="display_name"
        )
    password_hash = hash_password(password)  # hashed either way: same time for both paths
    existing = member_by_email(email)
    if existing is not None:
        return SignUpOutcome(None, _warn_owner(existing))
    member = Member(email=email, password_hash=password_hash, display_name=display_name)
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent sign-up with the same address won the race
        db.session.rollback()
        existing = member_by_email(email)
        return SignUpOutcome(None, _warn_owner(existing) if existing else [])
    queued = _queue_confirmation(member)
    db.session.commit()
    log.info("member %s signed up", member.id)
    return SignUpOutcome(member, [queued.id])


def _has_address(email: str) -> tuple[ColumnElement[bool], ...]:
    """Conditions for the live account with this (normalised) address."""
    return func.lower(Member.email) == email, Member.deleted_at.is_(None)


def member_by_email(email: str) -> Member | None:
    return db.session.scalar(select(Member).where(*_has_address(email)))


def recently_sent(kind: str, address: str) -> bool:
    """True if an email of this kind went to this address in the last few minutes."""
    since = utcnow() - THROTTLE
    return bool(
        db.session.scalar(
            select(OutboxEmail.id).where(
                OutboxEmail.kind == kind,
                OutboxEmail.to_address == address,
                OutboxEmail.created_at >= since,
            )
        )
    )


def queue_account_email(  # type: ignore[no-untyped-def]
    kind: str, member: Member, subject: str, template: str, **context: object
):
    """Queue one account email to the member from templates/auth/email/<template>.txt, in
    their language (or the one of the request that caused it). Its delivery task goes to the
    quick queue (delivery_queue.ACCOUNT_KINDS), so `kind` must be one of those."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"{kind!r} is not in delivery_queue.ACCOUNT_KINDS")
    with email_language(member):
        subject = str(subject)
        body = render_template(
            f"auth/email/{template}.txt",
            member=member,
            base_url=current_app.config["BASE_URL"],
            **context,
        )
    return emails.queue(
        kind=kind, to_address=member.email, subject=subject, body_text=body, member_id=member.id
    )


def _queue_confirmation(member: Member) -> OutboxEmail:
    link = tokens.link(Purpose.CONFIRM, {"m": member.id, "e": member.email})
    return queue_account_email(
        "confirm_email", member, _l("Confirm your email for Hearth"), "confirm", link=link
    )


def _warn_owner(member: Member) -> list[int]:
    """Tell an address's owner that someone tried to sign up with it (throttled)."""
    if recently_sent("signup_attempt", member.email):
        return []
    link = (
        None
        if member.email_confirmed
        else tokens.link(Purpose.CONFIRM, {"m": member.id, "e": member.email})
    )
    queued = queue_account_email(
        "signup_attempt",
        member,
        _l("Someone tried to sign up with your address"),
        "signup_attempt",
        link=link,
    )
    db.session.commit()
    log.info("sign-up attempt for the address of member %s", member.id)
    return [queued.id]


def resend_confirmation(member: Member) -> list[int]:
    """Queue a fresh confirmation link unless one went out in the last few minutes."""
    if member.email_confirmed or recently_sent("confirm_email", member.email):
        return []
    queued = _queue_confirmation(member)
    db.session.commit()
    return [queued.id]


def confirm_email(token: str) -> Member:
    """Confirm the address a link was sent to; ServiceError if invalid, expired or used."""
    data = tokens.read(Purpose.CONFIRM, token)
    member = db.session.get(Member, data["m"])
    if member is None or member.deleted_at is not None or member.email != data.get("e"):
        raise ServiceError(gettext("This link is not valid any more."))
    if member.email_confirmed:
        raise ServiceError(gettext("Your address is already confirmed. Please log in."))
    member.email_confirmed_at = utcnow()
    db.session.commit()
    log.info("member %s confirmed their email", member.id)
    return member


def verify_password(member: Member, password: str) -> bool:
    """True if `password` is the member's current password."""
    try:
        return _hasher.verify(member.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def end_other_sessions(member: Member) -> None:
    """Rotate the session token: every session and remember-me cookie stops working."""
    member.session_token = new_session_token()
    db.session.commit()
    log.info("member %s ended all sessions", member.id)


def _log_login(member_id: int | None, outcome: str) -> None:
    """One line per login attempt: who (id, never the address typed), from where, outcome."""
    address = request.remote_addr if has_request_context() else "-"
    log.info(
        "login attempt member=%s ip=%s outcome=%s",
        member_id if member_id is not None else "unknown",
        address,
        outcome,
    )


def authenticate(email: str, password: str) -> Member | None:
    """Return the member whose email and password match, else None (in similar time)."""
    try:
        email = normalise_email(email)
    except ServiceError:
        email = ""
    found = (
        db.session.execute(
            select(Member.id, Member.password_hash).where(*_has_address(email))
        ).first()
        if email
        else None
    )
    # The read is over: the database connection goes back to the pool while Argon2 runs
    # (~30 ms of CPU), so a burst of logins does not hold every connection of the process.
    db.session.commit()
    try:
        _hasher.verify(found.password_hash if found else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        _log_login(
            found.id if found else None,
            "failed: " + ("wrong password" if found else "no such account"),
        )
        return None
    if found is None:
        _log_login(None, "failed: no such account")
        return None
    member = db.session.get(Member, found.id)
    if member is None or member.deleted_at is not None:  # deleted between the two reads
        _log_login(None, "failed: no such account")
        return None
    _log_login(member.id, "succeeded")
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = _hasher.hash(password)
        db.session.commit()
    return member
