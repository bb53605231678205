"""Diet and accessibility needs, for organizers choosing venues: nobody else sees them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from webapp.extensions import db
from webapp.models import Meetup, Member, OptIn, Role
from webapp.services.communities import role_of


@dataclass(frozen=True)
class Needs:
    """One opted-in member's needs (display name for the organizer, who knows them)."""

    member_id: int
    display_name: str
    diet: str
    accessibility_needs: str


def needs_for_meetup(viewer: Member, meetup: Meetup) -> list[Needs]:
    """Opted-in members' diet and accessibility needs, for an organizer of the meetup's
    community only; raises PermissionError for anyone else."""
    if role_of(viewer, meetup.community) != Role.ORGANIZER:
        raise PermissionError("only the community's organizers see members' needs")
    rows = db.session.scalars(
        select(Member)
        .join(OptIn, OptIn.member_id == Member.id)
        .where(
            OptIn.meetup_id == meetup.id,
            or_(Member.diet != "", Member.accessibility_needs != ""),
        )
        .order_by(Member.display_name)
    )
    return [Needs(m.id, m.display_name, m.diet, m.accessibility_needs) for m in rows]
