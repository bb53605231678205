"""Shared pieces of the scale tests (issue 16): due meetups, the broker's queues, polling."""

from __future__ import annotations

import os
from datetime import timedelta

from kombu import Connection

from tests.worker import factories
from webapp.config import queue_names
from webapp.extensions import db
from webapp.models import Interest, OptIn
from webapp.models._time import utcnow


def due_meetup(name: str, members: int, first: int = 0, *, auto: bool = False) -> int:
    """A community `name` with `members` members (memberN@, from N = `first`), each with
    two of a few interests, opted in to a meetup whose deadline has passed; returns the
    meetup's id."""
    place = factories.community(name)
    people = [factories.member(place, first + n) for n in range(members)]
    tags = [_interest(tag) for tag in TAGS]
    for n, person in enumerate(people):
        person.interests = [tags[n % len(tags)], tags[(3 * n + 1) % len(tags)]]
    round_ = factories.meetup(place, deadline=utcnow() - timedelta(minutes=1))
    round_.auto_publish = auto
    for person in people:
        db.session.add(OptIn(meetup_id=round_.id, member_id=person.id))
    db.session.commit()
    return round_.id


TAGS = ("hiking", "chess", "jazz", "yoga", "film", "cooking")


def _interest(name: str) -> Interest:
    found = db.session.query(Interest).filter_by(name=name).one_or_none()
    if found is None:
        found = Interest(name=name)
        db.session.add(found)
    return found


def drain(broker_url: str, kind: str) -> list[tuple[str, list]]:
    """Take every message off the test's `kind` queue: (task name, args) of each."""
    taken = []
    with Connection(broker_url) as conn:
        queue = conn.SimpleQueue(queue_names(os.environ["CELERY_QUEUE"])[kind])
        while True:
            try:
                message = queue.get(timeout=1.0)  # the SQLite broker is polled
            except queue.Empty:
                break
            taken.append((message.headers.get("task"), message.decode()[0]))
            message.ack()
        queue.close()
    return taken
