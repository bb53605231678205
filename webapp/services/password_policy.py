"""Which new passwords Hearth accepts (issue 8, ASVS V6.2): 8 to 128 characters of any
Unicode, counted as characters and never truncated, and none of the 3,000 most common
passwords (the list ships in `webapp/data/common-passwords.txt`; nothing is fetched at run
time). Existing passwords are only ever checked against their hash, never against this.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import gettext

from webapp.services.errors import ServiceError

MIN_PASSWORD = 8
MAX_PASSWORD = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased, comment lines left out."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """True for a password on the list, whatever its letter case or surrounding spaces."""
    return password.strip().lower() in common_passwords()


def check_new_password(password: str) -> None:
    """Raise ServiceError (on the password field) unless the password may be set."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ServiceError(
            gettext(
                "Passwords need %(low)s to %(high)s characters.",
                low=MIN_PASSWORD,
                high=MAX_PASSWORD,
            ),
            field="password",
        )
    if is_common(password):
        raise ServiceError(
            gettext(
                "That password is one of the most common ones, so it is easy to guess. "
                "Please choose another (a few unrelated words work well)."
            ),
            field="password",
        )
