"""Composing emails as outbox rows, in the caller's transaction (never sent from here).

`queue` adds one row; the caller's commit makes it real, and only then is its delivery
task published (see `delivery_queue`). A `dedupe_key` such as "reminder_morning:7:3"
makes a second email of that kind to that member for that meetup impossible (the column
is unique; `queue` also checks first and returns None). Kinds in `OPTIONAL_KINDS` obey
the member's `EmailPreference` and carry a one-click unsubscribe link; the essential ones
(a group, its change, a cancellation) always go out. Every member-facing email is
rendered from `templates/email/<name>.txt` and `.html` and sent under the community's name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db
from webapp.i18n import email_language
from webapp.models import Community, Meetup, Member
from webapp.models.messages import EmailPreference, OutboxEmail
from webapp.services import delivery_queue  # noqa: F401  (publishes rows after commit)
from webapp.services.links import Action, link

log = logging.getLogger(__name__)

#: Non-essential kinds a member can switch off, with the words shown to them.
OPTIONAL_KINDS: dict[str, object] = {
    "invitation": _l("Invitations to new rounds"),
    "reminder_day_before": _l("Reminder the day before a meetup"),
    "reminder_morning": _l("Reminder on the morning of a meetup"),
    "feedback_request": _l("Asking how a meetup went"),
    "not_placed": _l("Telling me when I could not be placed in a group"),
}


def queue(
    *,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    member_id: int | None = None,
    meetup_id: int | None = None,
    sender_name: str = "",
    calendar_ics: str = "",
    unsubscribe_url: str = "",
    dedupe_key: str | None = None,
    batched: bool = False,
) -> OutboxEmail | None:
    """Add an outbox row to the current session; None if `dedupe_key` was already used.

    `batched`: the caller checked its dedupe keys at once (`taken_keys`) and flushes the
    session once after the last row (a publish queues hundreds: one statement per row
    instead of three)."""
    if (
        dedupe_key
        and not batched
        and db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key))
    ):
        return None
    email = OutboxEmail(
        kind=kind,
        to_address=to_address,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        member_id=member_id,
        meetup_id=meetup_id,
        sender_name=sender_name[:120],
        calendar_ics=calendar_ics,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=dedupe_key,
    )
    db.session.add(email)
    if not batched:
        db.session.flush()
        log.info("email %s queued (%s) for member %s", email.id, kind, member_id)
    return email


def taken_keys(keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys an outbox row already carries (one query)."""
    wanted = list(keys)
    if not wanted:
        return set()
    return set(
        db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.in_(wanted)))
    )


def wants(member_id: int, kind: str) -> bool:
    """Whether a member gets emails of this kind (essential kinds: always)."""
    if kind not in OPTIONAL_KINDS:
        return True
    enabled = db.session.scalar(
        select(EmailPreference.enabled).where(
            EmailPreference.member_id == member_id, EmailPreference.kind == kind
        )
    )
    return enabled is not False


def preferences(member_id: int) -> dict[str, bool]:
    """Every optional kind with whether the member gets it."""
    return {kind: wants(member_id, kind) for kind in OPTIONAL_KINDS}


def set_preference(member_id: int, kind: str, enabled: bool) -> None:
    """Switch one optional kind on or off for a member, and commit."""
    if kind not in OPTIONAL_KINDS:
        raise ValueError(f"{kind!r} is not an email kind a member can switch off")
    row = db.session.get(EmailPreference, (member_id, kind))
    if row is None:
        db.session.add(EmailPreference(member_id=member_id, kind=kind, enabled=enabled))
    else:
        row.enabled = enabled
    db.session.commit()
    log.info("member %s switched %s emails %s", member_id, kind, "on" if enabled else "off")


def render(template: str, **context: Any) -> tuple[str, str]:
    """The plain-text and HTML bodies of `templates/email/<template>.txt|.html`."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
    return (
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def queue_for_member(
    member: Member,
    meetup: Meetup,
    *,
    kind: str,
    template: str,
    subject: str,
    dedupe_key: str | None,
    calendar_ics: str = "",
    batched: bool = False,
    **context: Any,
) -> OutboxEmail | None:
    """Render and queue one email to a member about a meetup, honouring their preference.

    The bodies are rendered in the member's language (else the community's default, else
    English); a subject that depends on the language should be computed inside
    `i18n.email_language(member, community)` too, as the callers do.
    """
    if not wants(member.id, kind):
        return None
    community: Community = meetup.community
    unsubscribe_url = ""
    if kind in OPTIONAL_KINDS:
        unsubscribe_url = link(Action.UNSUBSCRIBE, member.id, kind=kind)
    with email_language(member, community):
        subject = str(subject)
        text, html = render(
            template,
            member=member,
            meetup=meetup,
            community=community,
            community_name=community.name,
            subject=subject,
            unsubscribe_url=unsubscribe_url,
            settings_url=link(Action.PREFERENCES, member.id),
            **context,
        )
    return queue(
        kind=kind,
        to_address=member.email,
        subject=subject,
        body_text=text,
        body_html=html,
        member_id=member.id,
        meetup_id=meetup.id,
        sender_name=community.name,
        calendar_ics=calendar_ics,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=dedupe_key,
        batched=batched,
    )


# The match, update and cancellation emails live in `invites`; re-exported here because the
# organizer tools call them as `emails.queue_match_emails(group)` and friends.
from webapp.services.invites import (  # noqa: E402
    queue_cancellation,
    queue_group_update_emails,
    queue_match_emails,
    queue_match_update,
)

__all__ = [
    "OPTIONAL_KINDS",
    "preferences",
    "queue",
    "queue_cancellation",
    "queue_for_member",
    "queue_group_update_emails",
    "queue_match_emails",
    "queue_match_update",
    "render",
    "set_preference",
    "wants",
]
