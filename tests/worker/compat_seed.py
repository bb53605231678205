"""A community whose "meet again" answers a model can learn (issue 15), written as rows.

Members belong to one of two hidden circles. Their about texts say which (sailing or
baking words), their interest tags are drawn at random (noise), and after each of the
past meetups (random groups of four) everyone answers the feedback form: "meet again"
for a groupmate of the same circle, most of the time, and rarely for the other circle.
The plain weight (interest + about similarity) is blurred by the random tags; a model
that learns to trust the about texts ranks pairs better, so it is adopted.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

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
from webapp.models.groups import PairChoice
from webapp.services.profiles import interests_by_name

TAGS = ["chess", "jazz", "hiking", "films", "wine", "board games", "running", "poetry"]
ABOUT = {
    0: "sailing boats harbour wind knots regatta dinghy sailing boats",
    1: "baking bread sourdough cakes oven flour pastry baking bread",
}
FIRST_DAY = datetime(2026, 1, 6, 18, 0)


def organizer(community: Community, email: str = "organizer@example.org") -> Member:
    """The community's organizer (committed)."""
    person = Member(email=email, password_hash="x", display_name="Olive Organizer")
    db.session.add(person)
    db.session.flush()
    db.session.add(Membership(community_id=community.id, member_id=person.id, role=Role.ORGANIZER))
    db.session.commit()
    return person


def seeded_community(
    name: str = "Harbour Bakers",
    *,
    members: int = 40,
    meetups: int = 8,
    seed: int = 7,
    start: int = 0,
) -> tuple[Community, list[Member]]:
    """A community with `meetups` published, fully rated meetups (committed)."""
    rng = random.Random(seed)
    community = Community(name=name, slug=name.lower().replace(" ", "-"), timezone="UTC")
    db.session.add(community)
    db.session.flush()
    people = []
    for n in range(members):
        person = Member(
            email=f"{community.slug}{n}@example.org",
            password_hash="x",
            display_name=f"Seedling{n} Person",
            about=ABOUT[n % 2],
            languages=["en"],
        )
        person.interests = interests_by_name(rng.sample(TAGS, 2))
        db.session.add(person)
        people.append(person)
    db.session.flush()
    for person in people:
        db.session.add(
            Membership(
                community_id=community.id, member_id=person.id, joined_at=FIRST_DAY - timedelta(7)
            )
        )
    venue = Venue(community_id=community.id, name="Harbour Café", capacity=100)
    db.session.add(venue)
    add_rated_meetups(community, people, venue, meetups, rng, start=start)
    db.session.commit()
    return community, people


def add_rated_meetups(
    community: Community,
    people: list[Member],
    venue: Venue,
    count: int,
    rng: random.Random,
    *,
    start: int = 0,
) -> list[Meetup]:
    """`count` published meetups a week apart (from week `start`), random groups of four,
    everyone answering (flushed, not committed)."""
    circle = {p.id: k % 2 for k, p in enumerate(people)}
    made = []
    for week in range(start, start + count):
        when = FIRST_DAY + timedelta(weeks=week)
        meetup = Meetup(
            community_id=community.id,
            title=f"Week {week + 1}",
            optin_deadline=when - timedelta(days=1),
            status=MeetupStatus.MATCHED,
            published_at=when - timedelta(days=1),
        )
        meetup.slots.append(MeetupSlot(starts_at=when, venue=venue))
        db.session.add(meetup)
        db.session.flush()
        order = people[:]
        rng.shuffle(order)
        for k in range(0, len(order) - len(order) % 4, 4):
            seated = order[k : k + 4]
            group = Group(meetup_id=meetup.id, slot=meetup.slots[0], why=[])
            for person in seated:
                group.members.append(GroupMember(meetup_id=meetup.id, member_id=person.id))
                db.session.add(OptIn(meetup_id=meetup.id, member_id=person.id))
                db.session.add(MeetupFeedback(meetup_id=meetup.id, member_id=person.id, rating=4))
            db.session.add(group)
            for rater in seated:
                for ratee in seated:
                    if rater is ratee:
                        continue
                    same = circle[rater.id] == circle[ratee.id]
                    if rng.random() < (0.8 if same else 0.1):
                        choice = PairChoice.AGAIN
                    elif not same and rng.random() < 0.2:
                        choice = PairChoice.NOT_FOR_ME
                    else:
                        continue
                    db.session.add(
                        PairFeedback(
                            meetup_id=meetup.id, rater_id=rater.id, ratee_id=ratee.id, choice=choice
                        )
                    )
        db.session.flush()
        made.append(meetup)
    return made


def open_meetup(community: Community, people: list[Member]) -> Meetup:
    """An open meetup next week that every member opted in to (committed)."""
    venue = db.session.query(Venue).filter_by(community_id=community.id).first()
    when = datetime.now().replace(microsecond=0) + timedelta(days=7)
    meetup = Meetup(
        community_id=community.id,
        title="Next round",
        optin_deadline=when - timedelta(days=1),
        group_min=3,
        group_max=5,
    )
    meetup.slots.append(MeetupSlot(starts_at=when, venue=venue))
    db.session.add(meetup)
    db.session.flush()
    for person in people:
        db.session.add(OptIn(meetup_id=meetup.id, member_id=person.id))
    db.session.commit()
    return meetup
