"""The member pages under load (issue 8) must not query once per group, companion, slot or
venue: their SQL statement count stays the same however much history a member has."""

from __future__ import annotations

from tests.helpers import log_in
from tests.web.members.world import PASSWORD, community_with, matched_group, open_meetup, person
from webapp.extensions import db
from webapp.models import Meetup, MeetupSlot, Venue
from webapp.services import profiles


def _add_round(community, people, days: int) -> Meetup:  # type: ignore[no-untyped-def]
    """One more published group with everyone, plus an open meetup with two slots."""
    meetup = open_meetup(community, days=days)
    matched_group(meetup, people)
    upcoming = open_meetup(community, days=days + 1)
    venue = Venue(community_id=community.id, name=f"Venue {days}", address="")
    upcoming.slots.append(MeetupSlot(starts_at=upcoming.slots[0].starts_at, venue=venue))
    db.session.commit()
    return meetup


def _count(client, sql_log: list, path: str) -> int:  # type: ignore[no-untyped-def]
    client.application.extensions.pop(profiles.POPULAR_CACHE, None)  # count it each time
    sql_log.clear()
    assert client.get(path).status_code == 200
    return len(sql_log)


def test_member_pages_query_count_does_not_grow_with_history(app, client, sql_log):  # type: ignore[no-untyped-def]
    people = [person(name) for name in ("Sam", "Ana", "Ben", "Cleo", "Dev")]
    community = community_with(people)
    first = _add_round(community, people, days=3)
    log_in(client, "sam@example.org", PASSWORD)
    pages = ["/me", "/me/profile", f"/me/groups/{first.groups[0].id}"]
    before = {page: _count(client, sql_log, page) for page in pages}

    for days in (5, 7, 9):  # three more groups, open meetups, slots and venues
        _add_round(community, people, days=days)
    after = {page: _count(client, sql_log, page) for page in pages}

    assert after == before, "a member page issues one query per group, person or slot"
    assert max(after.values()) <= 8, after
    assert "Venue 9" in client.get("/me").get_data(as_text=True), "the open meetups are shown"
