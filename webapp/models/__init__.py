"""Database models, one module per aggregate; importing this package registers them all."""

from webapp.models.communities import Community, Membership, Role
from webapp.models.groups import Group, GroupMember, MeetupFeedback, PairFeedback
from webapp.models.meetups import Meetup, MeetupSlot, MeetupStatus, OptIn, Venue
from webapp.models.members import PARTS_OF_DAY, Availability, Interest, Member
from webapp.models.messages import OutboxEmail, OutboxStatus

__all__ = [
    "PARTS_OF_DAY",
    "Availability",
    "Community",
    "Group",
    "GroupMember",
    "Interest",
    "Meetup",
    "MeetupFeedback",
    "MeetupSlot",
    "MeetupStatus",
    "Member",
    "Membership",
    "OptIn",
    "OutboxEmail",
    "OutboxStatus",
    "PairFeedback",
    "Role",
    "Venue",
]
