"""Database models, one module per aggregate; importing this package registers them all."""

from webapp.models.api_tokens import ApiToken, ApiTokenKind
from webapp.models.audit import AuditEntry
from webapp.models.checkins import LonelinessCheckin
from webapp.models.communities import Community, CommunityArea, Membership, Role
from webapp.models.compat import CompatModel, CompatSetting
from webapp.models.groups import Group, GroupMember, MeetupFeedback, PairFeedback, Rsvp
from webapp.models.meetups import (
    Frequency,
    MatchingPolicy,
    Meetup,
    MeetupSeries,
    MeetupSlot,
    MeetupStatus,
    OptIn,
    Venue,
)
from webapp.models.members import PARTS_OF_DAY, Availability, Interest, Member
from webapp.models.messages import OutboxEmail, OutboxStatus
from webapp.models.safety import Block, SafetyReport
from webapp.models.snapshots import DashboardSnapshot

__all__ = [
    "ApiToken",
    "ApiTokenKind",
    "AuditEntry",
    "Frequency",
    "MatchingPolicy",
    "MeetupSeries",
    "PARTS_OF_DAY",
    "Availability",
    "Block",
    "Community",
    "CommunityArea",
    "CompatModel",
    "CompatSetting",
    "DashboardSnapshot",
    "Group",
    "GroupMember",
    "Interest",
    "LonelinessCheckin",
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
    "Rsvp",
    "SafetyReport",
    "Venue",
]
