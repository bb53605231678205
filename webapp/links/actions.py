"""What each one-click link does, once its token is verified: one small function each.

The RSVP and feedback rules belong to the member pages (`services.rsvp`, `services.feedback`);
these functions only find the member's group or meetup and call them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Group, GroupMember, Meetup, Member
from webapp.services import emails, optins, pauses, rsvp
from webapp.services.errors import ServiceError
from webapp.services.feedback import Answer
from webapp.services.links import Action, LinkClaim


@dataclass(frozen=True)
class LinkAction:
    """The words on the confirmation page and the change the button makes."""

    title: object  # lazy strings: shown in the reader's language
    question: object
    button: object
    perform: Callable[[Member, LinkClaim], str]


def _meetup(claim: LinkClaim) -> Meetup:
    meetup = db.session.get(Meetup, claim.meetup_id) if claim.meetup_id else None
    if meetup is None:
        raise ServiceError(gettext("This meetup no longer exists."))
    return meetup


def group_of(member: Member, claim: LinkClaim) -> Group:
    """The member's group at the link's meetup (ServiceError if they have none)."""
    group = db.session.scalar(
        select(Group)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.meetup_id == _meetup(claim).id, GroupMember.member_id == member.id)
    )
    if group is None:
        raise ServiceError(gettext("You are no longer in a group for this meetup."))
    return group


def _im_in(member: Member, claim: LinkClaim) -> str:
    rsvp.confirm(member, group_of(member, claim))
    return gettext("Thank you! Your group knows you're coming.")


def _cant_make_it(member: Member, claim: LinkClaim) -> str:
    rsvp.cancel(member, group_of(member, claim))
    return gettext("Thanks for letting us know. We've told your group; hope to see you next time.")


def _opt_in(member: Member, claim: LinkClaim) -> str:
    meetup = _meetup(claim)
    optins.opt_in(member, meetup)
    return gettext("You're in for %(title)s. We'll email you your group.", title=meetup.title)


def _unsubscribe(member: Member, claim: LinkClaim) -> str:
    kind = claim.kind or ""
    if kind not in emails.OPTIONAL_KINDS:
        raise ServiceError(gettext("This link is not valid."))
    emails.set_preference(member.id, kind, False)
    return gettext(
        "Done: no more emails of this kind (%(kind)s).",
        kind=str(emails.OPTIONAL_KINDS[kind]).lower(),
    )


def _resume(member: Member, claim: LinkClaim) -> str:
    pauses.resume(member)
    return gettext("Welcome back! You'll be invited to the next round.")


ACTIONS: dict[Action, LinkAction] = {
    Action.IM_IN: LinkAction(
        _l("I'm in"), _l("Tell your group you're coming?"), _l("Yes, I'm in"), _im_in
    ),
    Action.CANT_MAKE_IT: LinkAction(
        _l("Can't make it"),
        _l("Tell your group you can't make it?"),
        _l("I can't make it"),
        _cant_make_it,
    ),
    Action.OPT_IN: LinkAction(
        _l("Opt in"), _l("Put you in a group for this round?"), _l("Yes, match me"), _opt_in
    ),
    Action.UNSUBSCRIBE: LinkAction(
        _l("Unsubscribe"), _l("Stop these emails?"), _l("Stop these emails"), _unsubscribe
    ),
    Action.RESUME: LinkAction(
        _l("Come back"),
        _l("Start inviting you to new rounds again?"),
        _l("Yes, invite me"),
        _resume,
    ),
}


#: The answers offered about each other member, in the words the form shows.
FEEDBACK_CHOICES = {
    "again": _l("I'd like to meet again"),
    "skip": _l("No opinion"),
    "not_for_me": _l("Not for me"),
}


def feedback_answer(form: Mapping[str, str], other_ids: list[int]) -> Answer:
    """The feedback form's fields as the feedback service's Answer (it checks them)."""
    attended = form.get("attended", "yes") != "no"
    rating_text = form.get("rating", "")
    rating = int(rating_text) if rating_text.isdigit() else None
    about = {}
    for other_id in other_ids:
        choice = form.get(f"about-{other_id}", "skip")
        about[other_id] = choice if choice in FEEDBACK_CHOICES else "invalid"
    return Answer(attended=attended, rating=rating, about=about, note=form.get("note", ""))
