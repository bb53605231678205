"""A believable demo community: a few hundred members with months of history.

Deterministic (fixed random seed), and only seeded once per database. Members speak
English (some a second language too), live in one of the community's named areas and say
how far they travel; venues have coordinates; and only members who can make at least one
of a meetup's times opt in to it (as the opt-in page would let them), ticking those times.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    PARTS_OF_DAY,
    Availability,
    Community,
    CommunityArea,
    Group,
    MatchingPolicy,
    Meetup,
    MeetupFeedback,
    MeetupSlot,
    Member,
    Membership,
    OptIn,
    PairFeedback,
    Role,
    Venue,
)
from webapp.models._time import utcnow
from webapp.models.checkins import LonelinessCheckin
from webapp.models.groups import PairChoice, Rsvp
from webapp.services import accounts, optins
from webapp.services.match_review import publish
from webapp.services.matching import run_matching_round
from webapp.services.profiles import interests_by_name

DEMO_SLUG = "riverside-neighbours"
#: Past fortnightly meetups, so every dashboard chart has a history to show.
PAST_MEETUPS = 6
PAST_TITLES = [
    "Spring walk and talk",
    "Board games at the Lantern",
    "Picnic by the weir",
    "Summer supper",
    "Quiz night",
    "Harvest walk",
]
ORGANIZER_EMAIL = "organizer@hearth.demo"

#: Latent circles of taste; members draw most interests from one or two of them.
CIRCLES = [
    ["bouldering", "hiking", "trail running", "cycling", "wild swimming"],
    ["board games", "sci-fi", "fantasy novels", "tabletop rpg", "video games"],
    ["cooking", "baking", "fermentation", "street food", "wine"],
    ["jazz", "choir singing", "vinyl records", "live music", "guitar"],
    ["gardening", "birdwatching", "foraging", "climate action", "beekeeping"],
    ["photography", "sketching", "pottery", "museums", "film"],
    ["startups", "programming", "philosophy", "languages", "chess"],
]
#: The community's named areas (around a fictional river town; coordinates in degrees).
AREAS = [
    ("Old Town", 51.7520, -1.2577),
    ("Mill Quarter", 51.7465, -1.2690),
    ("Riverside", 51.7440, -1.2480),
    ("North Meadow", 51.7650, -1.2630),
    ("Hill Estate", 51.7390, -1.2280),
]
#: Venues: name, address, coordinates.
VENUES = {
    "The Lantern Café": ("12 Mill Lane", 51.7478, -1.2650),
    "Riverside Library, Room 2": ("1 Quay Street", 51.7452, -1.2505),
}
#: Everyone speaks the community's language; some a second one too.
COMMUNITY_LANGUAGE = "en"
SECOND_LANGUAGES = ["es", "pl", "de", "fr", "pt", "it", "ur", "zh"]
#: How far members travel (km), as the profile offers it; mostly close by.
TRAVEL_KM = [2, 5, 5, 10, 10, 25, None]
#: What members write about each interest: content words that overlap within a circle
#: ("hills", "river", "bread"), so shared about-text topics mean something.
TOPIC_PHRASES = {
    "bouldering": "bouldering at the climbing wall",
    "hiking": "hiking in the hills",
    "trail running": "trail running in the hills",
    "cycling": "cycling along the river",
    "wild swimming": "wild swimming in the river",
    "board games": "strategy board games",
    "sci-fi": "sci-fi novels and space operas",
    "fantasy novels": "fantasy novels and dragons",
    "tabletop rpg": "tabletop campaigns and dungeon masters",
    "video games": "indie video games",
    "cooking": "cooking curries from scratch",
    "baking": "baking sourdough bread",
    "fermentation": "fermenting kimchi and sourdough",
    "street food": "street food markets",
    "wine": "natural wine tastings",
    "jazz": "jazz records and live gigs",
    "choir singing": "choir singing and harmonies",
    "vinyl records": "vinyl records and record shops",
    "live music": "live gigs in small venues",
    "guitar": "learning guitar chords",
    "gardening": "allotment gardening and compost",
    "birdwatching": "birdwatching by the river",
    "foraging": "foraging mushrooms and wild garlic",
    "climate action": "climate action and repair cafés",
    "beekeeping": "beekeeping and honey",
    "photography": "street photography and film cameras",
    "sketching": "urban sketching",
    "pottery": "pottery and glazes",
    "museums": "museums and exhibitions",
    "film": "film nights and old cinema",
    "startups": "startups and side projects",
    "programming": "programming side projects",
    "philosophy": "philosophy and ethics",
    "languages": "learning languages and grammar",
    "chess": "chess openings",
}
#: How members join two of those into their "what I'd love to talk about" (English stop
#: words only, so the engine's topics come from the phrases, not the filler).
ABOUT_TEMPLATES = [
    "{A}, and {b} too.",
    "Mostly {a}; also {b}.",
    "Always up for {a} or {b}.",
    "Anything about {a}, and often {b}.",
    "{A} - or perhaps {b}, whatever else.",
]
FIRST_NAMES = (
    "Ada Ben Chloe Dev Elif Femi Greta Hugo Ines Jonas Kira Luca Maya Nils Omar Priya Quinn "
    "Rosa Sam Tariq Uma Vera Wen Xavi Yara Zoe Aiko Bram Carmen Dario Emil Farah Gus Hana Ivo "
    "Jade Kofi Lena Milo Nora Otto Pia Rafa Sofia Theo Ula Vik Willa Yusuf Zaid"
).split()


def seed_demo(
    members: int = 300, seed: int = 7, progress: Callable[[int, int, str], object] | None = None
) -> str:
    """Create the demo community unless it exists; return a one-line summary.

    `progress(step, steps, what)` hears each step (members, each past meetup matched,
    check-ins, the upcoming meetup), e.g. for `hearth seed`'s progress bar.
    """
    steps = PAST_MEETUPS + 3

    def step(done: int, what: str) -> None:
        if progress is not None:
            progress(done, steps, what)

    if db.session.scalar(select(Community.id).where(Community.slug == DEMO_SLUG)):
        return "Demo community already seeded."
    rng = random.Random(seed)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    community = Community(
        name="Riverside Neighbours",
        slug=DEMO_SLUG,
        timezone="Europe/London",
        description="Neighbours around the river who meet in small groups every fortnight.",
    )
    db.session.add(community)
    community.areas = [CommunityArea(name=n, lat=lat, lon=lon) for n, lat, lon in AREAS]
    organizer = Member(
        email=ORGANIZER_EMAIL,
        display_name="Olivia Organizer",
        email_confirmed_at=now,
        password_hash=accounts.hash_password(secrets.token_urlsafe(16)),
    )
    community.memberships.append(Membership(member=organizer, role=Role.ORGANIZER))
    step(0, f"{members} members")
    people = _members(rng, members)
    for person in people:
        community.memberships.append(Membership(member=person, role=Role.MEMBER))
    db.session.flush()
    for n, membership in enumerate(community.memberships):  # joined over four months
        membership.joined_at = now - timedelta(days=120 - (n * 110) // max(1, len(people)))
    step(1, "past meetups")
    _past_meetups(rng, community, people, now, lambda n: step(1 + n, f"past meetup {n}"))
    step(steps - 2, "check-ins")
    _checkins(rng, people, now)
    step(steps - 1, "the upcoming meetup")
    upcoming = _meetup(
        community, "Autumn get-together", now + timedelta(days=2), now + timedelta(days=5)
    )
    for person in rng.sample(people, int(len(people) * 0.4)):
        _opt_in(upcoming, person)
    db.session.commit()
    step(steps, "done")
    return (
        f"Seeded {DEMO_SLUG}: {len(people)} members, "
        f"{PAST_MEETUPS} past meetups with groups, feedback and check-ins, an upcoming one."
    )


def _past_meetups(  # type: ignore[no-untyped-def]
    rng: random.Random,
    community: Community,
    people: list[Member],
    now,
    matched: Callable[[int], object] = lambda n: None,
) -> None:
    """Fortnightly meetups over the last months, matched, published and rated;
    `matched(n)` hears when the n-th (from 1) is done."""
    limit = current_app.config["MATCH_TIME_LIMIT"]
    current_app.config["MATCH_TIME_LIMIT"] = min(limit, 0.5)  # seeding should be quick
    try:
        for n in range(PAST_MEETUPS):
            days_ago = 14 * (PAST_MEETUPS - n)
            meetup = _meetup(
                community,
                PAST_TITLES[n % len(PAST_TITLES)],
                now - timedelta(days=days_ago + 3),
                now - timedelta(days=days_ago),
            )
            meetup.policy = MatchingPolicy.DEEPEN if n % 3 == 2 else MatchingPolicy.BALANCED
            joined = [
                p
                for p, m in zip(people, community.memberships[1:], strict=True)
                if m.joined_at <= meetup.optin_deadline
            ]
            for person in rng.sample(joined, int(len(joined) * 0.5)):
                _opt_in(meetup, person, meetup.optin_deadline - timedelta(days=rng.randint(1, 6)))
            db.session.commit()
            run_matching_round(meetup.id, notify=False)
            publish(db.session.get(Meetup, meetup.id), None, notify=False)
            _feedback(rng, db.session.get(Meetup, meetup.id))
            db.session.commit()
            matched(n + 1)
    finally:
        current_app.config["MATCH_TIME_LIMIT"] = limit


def _opt_in(meetup: Meetup, person: Member, when=None) -> None:  # type: ignore[no-untyped-def]
    """Opt a member in for the times they can make (grid and travel distance), ticked as
    the opt-in page would; someone who can make none stays out (the page refuses them)."""
    times = [c.slot.id for c in optins.slot_choices(person, meetup, picks=[]) if c.can_make]
    if times:
        extra = {"created_at": when} if when is not None else {}
        db.session.add(OptIn(meetup_id=meetup.id, member_id=person.id, slot_ids=times, **extra))


def _checkins(rng: random.Random, people: list[Member], now) -> None:  # type: ignore[no-untyped-def]
    """Anonymous-looking loneliness check-ins, a few dozen a month, slowly improving."""
    for month in range(4):
        when = now - timedelta(days=30 * (3 - month) + 5)
        for person in rng.sample(people, min(len(people), 30)):
            worse = 1 if rng.random() < 0.45 - 0.08 * month else 0
            db.session.add(
                LonelinessCheckin(
                    member_id=person.id,
                    lack_companionship=min(3, rng.choice([1, 2]) + worse),
                    left_out=min(3, rng.choice([1, 1, 2]) + worse),
                    isolated=min(3, rng.choice([1, 2]) + worse),
                    created_at=when,
                )
            )


def reset_organizer_password() -> tuple[str, str]:
    """Give the demo organizer a fresh random password and return the login."""
    organizer = db.session.scalar(select(Member).where(Member.email == ORGANIZER_EMAIL))
    password = secrets.token_urlsafe(9)
    organizer.password_hash = accounts.hash_password(password)
    db.session.commit()
    return ORGANIZER_EMAIL, password


def _members(rng: random.Random, count: int) -> list[Member]:
    """Members with interests from one or two circles, a few evenings or weekends free, an
    about text, languages, a home in one of the areas and a travel distance."""
    shared_hash = accounts.hash_password(secrets.token_urlsafe(16))  # demo members cannot log in
    people = []
    for n in range(count):
        circles = rng.sample(CIRCLES, rng.choice([1, 1, 2]))
        names = {tag for circle in circles for tag in rng.sample(circle, rng.randint(2, 4))}
        if rng.random() < 0.3:
            names.add(rng.choice(rng.choice(CIRCLES)))
        a, b = (TOPIC_PHRASES.get(n, n) for n in rng.sample(sorted(names), 2))
        area, lat, lon = rng.choice(AREAS)
        languages = [COMMUNITY_LANGUAGE]
        if rng.random() < 0.2:
            languages.append(rng.choice(SECOND_LANGUAGES))
        person = Member(
            email=f"member{n:04d}@hearth.demo",
            password_hash=shared_hash,
            display_name=f"{rng.choice(FIRST_NAMES)} {chr(65 + n % 26)}.",
            about=rng.choice(ABOUT_TEMPLATES).format(a=a, b=b, A=a[:1].upper() + a[1:]),
            languages=languages,
            area=area,
            home_lat=round(lat + rng.uniform(-0.004, 0.004), 5),
            home_lon=round(lon + rng.uniform(-0.006, 0.006), 5),
            travel_km=rng.choice(TRAVEL_KM),
        )
        person.interests = interests_by_name(sorted(names))
        windows = {(d, "evening") for d in rng.sample(range(5), rng.randint(1, 4))}
        windows |= {(d, p) for d in (5, 6) for p in PARTS_OF_DAY if rng.random() < 0.35}
        person.availability = [Availability(weekday=d, part=p) for d, p in sorted(windows)]
        people.append(person)
    return people


def _meetup(community: Community, title: str, deadline, first_slot) -> Meetup:  # type: ignore[no-untyped-def]
    """A meetup with two weekday evening slots and a Saturday morning slot."""
    meetup = Meetup(community_id=community.id, title=title, optin_deadline=deadline)
    db.session.add(meetup)
    evening = first_slot.replace(hour=18)
    saturday = first_slot + timedelta(days=(5 - first_slot.weekday()) % 7 or 7)
    for starts_at, name, seats in (
        (evening, "The Lantern Café", 40),
        (evening + timedelta(days=2 if evening.weekday() < 3 else -2), "The Lantern Café", 40),
        (saturday.replace(hour=10), "Riverside Library, Room 2", 60),
    ):
        address, lat, lon = VENUES[name]
        venue = Venue(
            community_id=community.id, name=name, address=address, capacity=seats, lat=lat, lon=lon
        )
        meetup.slots.append(MeetupSlot(starts_at=starts_at, venue=venue))
    db.session.add(meetup)
    db.session.flush()
    return meetup


def _feedback(rng: random.Random, meetup: Meetup) -> None:
    """Most people went (some said beforehand they could not); many rate well; some
    pairs want to meet again. Feedback is dated the day after the meetup."""
    after = meetup.slots[0].starts_at + timedelta(days=1)
    for group in db.session.scalars(select(Group).where(Group.meetup_id == meetup.id)):
        seats = [s.member_id for s in group.members]
        for seat in group.members:
            went = rng.random() < 0.85
            if not went and rng.random() < 0.5 and hasattr(seat, "rsvp"):
                seat.rsvp = Rsvp.CANT
            db.session.add(
                MeetupFeedback(
                    meetup_id=meetup.id,
                    member_id=seat.member_id,
                    attended=went,
                    rating=rng.choice([3, 4, 4, 5, 5]) if went else None,
                    created_at=after,
                )
            )
            if not went:
                continue
            for other in seats:
                if other != seat.member_id and rng.random() < 0.55:
                    choice = PairChoice.AGAIN if rng.random() < 0.8 else PairChoice.NOT_FOR_ME
                    db.session.add(
                        PairFeedback(
                            meetup_id=meetup.id,
                            rater_id=seat.member_id,
                            ratee_id=other,
                            choice=choice,
                            created_at=after,
                        )
                    )
