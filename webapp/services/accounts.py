"""Member accounts: sign-up, password checks and hashing (Argon2id)."""

from __future__ import annotations

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Member
from webapp.services.errors import ServiceError

log = logging.getLogger(__name__)

#: OWASP's Argon2id minimum: 19 MiB, two passes, one lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: Checked against when no account matches, so a miss costs what a hit costs.
_DUMMY_HASH = _hasher.hash("hearth-dummy-password")

MIN_PASSWORD = 8
MAX_PASSWORD = 128


def normalise_email(email: str) -> str:
    """Trim and lower-case an address; raise ServiceError if it is plainly not one."""
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise ServiceError("Please enter a valid email address.", field="email")
    return email


def hash_password(password: str) -> str:
    """Hash a password after checking its length (never truncated)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ServiceError(
            f"Passwords need {MIN_PASSWORD} to {MAX_PASSWORD} characters.", field="password"
        )
    return _hasher.hash(password)


def sign_up(email: str, password: str, display_name: str) -> Member:
    """Create an account; raise ServiceError on invalid input or a taken address."""
    email = normalise_email(email)
    display_name = " ".join((display_name or "").split())
    if not 1 <= len(display_name) <= 80:
        raise ServiceError(
            "Please tell us what to call you (up to 80 characters).", field="display_name"
        )
    if db.session.scalar(select(Member.id).where(func.lower(Member.email) == email)):
        raise ServiceError(
            "An account with this email already exists. Try logging in.", field="email"
        )
    member = Member(email=email, password_hash=hash_password(password), display_name=display_name)
    db.session.add(member)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent sign-up with the same address won the race
        db.session.rollback()
        raise ServiceError(
            "An account with this email already exists. Try logging in.", field="email"
        ) from None
    log.info("member %s signed up", member.id)
    return member


def authenticate(email: str, password: str) -> Member | None:
    """Return the member whose email and password match, else None (in similar time)."""
    try:
        email = normalise_email(email)
    except ServiceError:
        email = ""
    member = db.session.scalar(select(Member).where(Member.email == email)) if email else None
    try:
        _hasher.verify(member.password_hash if member else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if member is None:
        return None
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = _hasher.hash(password)
        db.session.commit()
    return member
