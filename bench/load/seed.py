"""Seed the load bench's database: the demo community, with members who can log in.

Run as `python -m bench.load.seed MEMBERS OUT.json` with DATABASE_URL pointing at a migrated
database. Uses the project's own demo seed (`webapp.services.demo_seed`: members with
interests, availability, months of matched groups and feedback), then gives every demo
member the bench password (one Argon2 hash, shared) and a confirmed address. Writes the
members' emails and their published group ids for the load generators, and API tokens
(issue 17): one organizer token for the demo community, a member token for each of the first
`API_MEMBERS` members.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select, update

#: Every seeded member's password (not a common one, so the password policy accepts it).
BENCH_PASSWORD = "bench load password 7f3c"
#: Members given an API token for the `api` scenario.
API_MEMBERS = 40


def seed(members: int) -> list[dict[str, object]]:
    """Seed and return [{"email": ..., "groups": [ids]}] for every demo member."""
    from webapp.extensions import db
    from webapp.models import GroupMember, Meetup, MeetupStatus, Member
    from webapp.models._time import utcnow
    from webapp.services import accounts
    from webapp.services.demo_seed import seed_demo

    seed_demo(members=members)
    db.session.execute(
        update(Member)
        .where(Member.email.like("%@hearth.demo"))
        .values(
            password_hash=accounts.hash_password(BENCH_PASSWORD),
            email_confirmed_at=utcnow(),
        )
    )
    db.session.commit()
    groups: dict[int, list[int]] = {}
    for member_id, group_id in db.session.execute(
        select(GroupMember.member_id, GroupMember.group_id)
        .join(Meetup, Meetup.id == GroupMember.meetup_id)
        .where(Meetup.status == MeetupStatus.MATCHED)  # the ones members see
    ):
        groups.setdefault(member_id, []).append(group_id)
    rows = db.session.execute(
        select(Member.id, Member.email).where(Member.email.like("member%@hearth.demo"))
    ).all()
    return [{"email": email, "groups": sorted(groups.get(mid, []))} for mid, email in rows]


def api_tokens(rows: list[dict[str, object]]) -> dict[str, str]:
    """Make the bench's API tokens through the service; each of the first API_MEMBERS rows
    gets its member token as "api_token". Returns the organizer token and the slug."""
    from webapp.extensions import db
    from webapp.models import Community, Member
    from webapp.services import api_tokens as tokens
    from webapp.services.demo_seed import DEMO_SLUG, ORGANIZER_EMAIL

    community = db.session.scalars(select(Community).where(Community.slug == DEMO_SLUG)).one()
    organizer = db.session.scalars(select(Member).where(Member.email == ORGANIZER_EMAIL)).one()
    _, organizer_token = tokens.create_organizer_token(community, organizer, "load bench")
    for row in rows[:API_MEMBERS]:
        member = db.session.scalars(select(Member).where(Member.email == row["email"])).one()
        row["api_token"] = tokens.create_member_token(member, "load bench")[1]
    return {"organizer_token": organizer_token, "slug": DEMO_SLUG}


def main(argv: list[str]) -> int:
    """Entry point: MEMBERS OUT.json."""
    from webapp import create_app

    members, out = int(argv[0]), Path(argv[1])
    app = create_app()
    with app.app_context():
        rows = seed(members)
        api = api_tokens(rows)
    out.write_text(json.dumps({"password": BENCH_PASSWORD, "members": rows, "api": api}))
    print(f"seeded {len(rows)} members, {sum(1 for r in rows if r['groups'])} with groups")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
