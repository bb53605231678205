"""A small community with hand-made history, whose metrics are worked out by hand.

Members O (organizer), A-F joined 1 Jan 2030, G on 1 Feb. Three published meetups:
M1 (10 Jan): groups {A,B,C} {D,E,F}; M2 (10 Feb): {A,B,C} {D,F}, G unplaced;
M3 (10 Mar): {A,B,C,D}, G unplaced. Mutual "meet again": A-B after M1 (and again
after M2), B-C after M2, A-C after M3. One-sided: D->E after M1.
"""

from __future__ import annotations

from datetime import datetime

from webapp.extensions import db
from webapp.models import (
    Community,
    Group,
    GroupMember,
    Meetup,
    MeetupFeedback,
    MeetupSlot,
    MeetupStatus,
    Member,
    Membership,
    OptIn,
    PairFeedback,
    Role,
    Venue,
)
from webapp.models.checkins import LonelinessCheckin
from webapp.models.groups import PairChoice, Rsvp

NOW = datetime(2030, 3, 20, 12, 0)
JAN1, FEB1 = datetime(2030, 1, 1), datetime(2030, 2, 1)


def seed_small_community() -> tuple[Community, dict[str, Member], dict[str, Meetup]]:
    """Create the community described in the module docstring."""
    community = Community(name="Small", slug="small", timezone="UTC")
    db.session.add(community)
    people = {}
    for name in "OABCDEFG":
        person = Member(email=f"{name.lower()}@example.org", password_hash="x", display_name=name)
        people[name] = person
        community.memberships.append(
            Membership(
                member=person,
                role=Role.ORGANIZER if name == "O" else Role.MEMBER,
                joined_at=FEB1 if name == "G" else JAN1,
            )
        )
    db.session.flush()
    venue = Venue(community_id=community.id, name="Café", capacity=30)
    db.session.add(venue)
    meetups = {}
    plan = {
        "M1": (1, "ABCDEF", ["ABC", "DEF"]),
        "M2": (2, "ABCDFG", ["ABC", "DF"]),
        "M3": (3, "ABCDG", ["ABCD"]),
    }
    for key, (month, opted, groups) in plan.items():
        meetup = Meetup(
            community_id=community.id,
            title=key,
            optin_deadline=datetime(2030, month, 8),
            status=MeetupStatus.MATCHED,
        )
        slot = MeetupSlot(starts_at=datetime(2030, month, 10, 19), venue=venue)
        meetup.slots.append(slot)
        db.session.add(meetup)
        db.session.flush()
        for name in opted:
            db.session.add(
                OptIn(
                    meetup_id=meetup.id,
                    member_id=people[name].id,
                    created_at=datetime(2030, month, 7),
                )
            )
        for names in groups:
            group = Group(meetup_id=meetup.id, slot=slot)
            group.members = [
                GroupMember(
                    meetup_id=meetup.id,
                    member_id=people[n].id,
                    rsvp=Rsvp.CANT if (key, n) == ("M1", "E") else Rsvp.PENDING,
                )
                for n in names
            ]
            db.session.add(group)
        meetups[key] = meetup
    db.session.flush()

    def feedback(key: str, name: str, attended: bool, rating: int | None) -> None:
        month = int(key[1])
        db.session.add(
            MeetupFeedback(
                meetup_id=meetups[key].id,
                member_id=people[name].id,
                attended=attended,
                rating=rating,
                created_at=datetime(2030, month, 11),
            )
        )

    for key, name, attended, rating in [
        ("M1", "A", True, 5),
        ("M1", "B", True, 4),
        ("M1", "C", True, 3),
        ("M1", "D", False, None),
        ("M1", "E", False, None),
        ("M2", "A", True, 4),
        ("M2", "D", True, 2),
    ]:
        feedback(key, name, attended, rating)

    def said(key: str, rater: str, ratee: str, choice: str) -> None:
        db.session.add(
            PairFeedback(
                meetup_id=meetups[key].id,
                rater_id=people[rater].id,
                ratee_id=people[ratee].id,
                choice=PairChoice(choice),
                created_at=datetime(2030, int(key[1]), 11),
            )
        )

    for key, rater, ratee, choice in [
        ("M1", "A", "B", "again"),
        ("M1", "B", "A", "again"),
        ("M1", "A", "C", "again"),
        ("M1", "C", "A", "not_for_me"),
        ("M1", "D", "E", "again"),
        ("M2", "A", "B", "again"),
        ("M2", "B", "A", "again"),
        ("M2", "B", "C", "again"),
        ("M2", "C", "B", "again"),
        ("M3", "A", "C", "again"),
        ("M3", "C", "A", "again"),
    ]:
        said(key, rater, ratee, choice)
    members = "ABCDEFGABC"
    for n in range(10):  # February: ten answers, five scoring 3 and five scoring 6
        level = 1 if n < 5 else 2
        db.session.add(
            LonelinessCheckin(
                member_id=people[members[n]].id,
                lack_companionship=level,
                left_out=level,
                isolated=level,
                created_at=datetime(2030, 2, 15),
            )
        )
    for n in range(3):  # March: only three answers, too few to show
        db.session.add(
            LonelinessCheckin(
                member_id=people["ABC"[n]].id,
                lack_companionship=3,
                left_out=3,
                isolated=3,
                created_at=datetime(2030, 3, 15),
            )
        )
    db.session.commit()
    return community, people, meetups
