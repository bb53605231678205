"""The profile page's quick-pick tags: the community's own list, then what fellow members
like most; the popular part is counted once a minute per app process, not on every view."""

from __future__ import annotations

from sqlalchemy import event

from tests.web.members.world import community_with, person
from webapp.extensions import db
from webapp.models import Member
from webapp.services import profiles
from webapp.services.communities import create_community, join
from webapp.services.profiles import interests_by_name


def _likes(member: Member, *names: str) -> None:
    member.interests = interests_by_name(list(names))
    db.session.commit()


def test_community_tags_first_then_what_fellow_members_like(app):  # type: ignore[no-untyped-def]
    sam, ana, ben = person("Sam"), person("Ana"), person("Ben")
    community = community_with([sam, ana, ben])
    community.interest_tags = ["Board Games"]
    outsider = person("Zed")
    join(outsider, create_community(person("Olga"), "Elsewhere"))
    _likes(ana, "jazz", "hiking")
    _likes(ben, "jazz")
    _likes(outsider, "curling")
    tags = profiles.suggested_tags(sam)
    assert tags[0] == "board games"
    assert tags.index("jazz") < tags.index("hiking"), "the most liked first"
    assert "curling" not in tags, "only fellow members' interests"
    loner = person("Lou")
    assert "curling" in profiles.suggested_tags(loner), "no community: popular everywhere"


def test_popular_interests_are_counted_once_a_minute(app, monkeypatch):  # type: ignore[no-untyped-def]
    sam, ana = person("Sam"), person("Ana")
    community_with([sam, ana])
    _likes(ana, "jazz")
    statements: list[str] = []

    def record(conn, cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = profiles.suggested_tags(sam)
        counted = sum("GROUP BY" in s for s in statements)
        _likes(ana, "jazz", "tango")  # new interests show up after the minute, not at once
        again = profiles.suggested_tags(sam)
        assert sum("GROUP BY" in s for s in statements) == counted == 1
        assert again == first
        clock = profiles.time.monotonic() + profiles.POPULAR_TAGS_SECONDS + 1
        monkeypatch.setattr(profiles.time, "monotonic", lambda: clock)
        assert "tango" in profiles.suggested_tags(sam)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
