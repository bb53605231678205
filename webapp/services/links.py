"""Signed one-click links in emails: act without logging in, for one member and one target.

A token names the action, the member and the meetup (or group, or email kind) it is for,
and is signed with SECRET_KEY under a salt specific to the action, so a token for "I'm in"
cannot be replayed as "unsubscribe", and nobody can forge one for another member. Tokens
expire after LINK_MAX_AGE_DAYS (unsubscribe and calendar-feed links live longer: people
use them months later, and they can do no harm).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webapp.services.errors import ServiceError


class Action(enum.StrEnum):
    """What a link does; also its URL path under /l/."""

    IM_IN = "im-in"
    CANT_MAKE_IT = "cant-make-it"
    OPT_IN = "opt-in"
    FEEDBACK = "feedback"
    UNSUBSCRIBE = "unsubscribe"
    RESUME = "resume"
    CALENDAR = "calendar"
    PREFERENCES = "email-settings"


#: Actions whose links stay valid for about ten years instead of LINK_MAX_AGE_DAYS.
LONG_LIVED = {Action.UNSUBSCRIBE, Action.CALENDAR, Action.RESUME, Action.PREFERENCES}
TEN_YEARS = 10 * 365 * 24 * 3600


@dataclass(frozen=True)
class LinkClaim:
    """What a verified token says: who, and for which meetup / email kind."""

    action: Action
    member_id: int
    meetup_id: int | None
    kind: str | None


def _serializer(action: Action) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"hearth.one-click.{action.value}"
    )


def make_token(
    action: Action, member_id: int, meetup_id: int | None = None, kind: str | None = None
) -> str:
    """A signed, timestamped token for one member (and meetup or email kind)."""
    return str(_serializer(action).dumps({"m": member_id, "e": meetup_id, "k": kind}))


def link(
    action: Action, member_id: int, meetup_id: int | None = None, kind: str | None = None
) -> str:
    """The absolute URL of a one-click link, for emails."""
    token = make_token(action, member_id, meetup_id, kind)
    suffix = ".ics" if action is Action.CALENDAR else ""
    return f"{current_app.config['BASE_URL']}/l/{action.value}/{token}{suffix}"


def verify(action: Action, token: str) -> LinkClaim:
    """The claim of a valid token, or a ServiceError a person can read."""
    if action in LONG_LIVED:
        max_age = TEN_YEARS
    else:
        max_age = current_app.config["LINK_MAX_AGE_DAYS"] * 24 * 3600
    try:
        data = _serializer(action).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ServiceError(
            gettext("This link has expired. Log in to Hearth to do this from your page instead.")
        ) from None
    except BadSignature:
        raise ServiceError(
            gettext("This link is not valid (it may have been cut short by your mail program).")
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise ServiceError(gettext("This link is not valid."))
    return LinkClaim(
        action=action, member_id=data["m"], meetup_id=data.get("e"), kind=data.get("k")
    )
