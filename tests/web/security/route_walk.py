"""Every route in the app's url_map, with its parameters filled from a seeded community.

Shared by the security walks (headers, CSRF, GET-is-safe): a new route is picked up
automatically, and `fill` fails loudly on a parameter it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask

from webapp.extensions import db
from webapp.models import Community, Group


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: tuple[str, ...]


def all_routes(app: Flask) -> list[Route]:
    """Every rule with its methods (HEAD and OPTIONS left out), sorted for stable ids."""
    return sorted(
        (
            Route(rule.rule, rule.endpoint, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))
            for rule in app.url_map.iter_rules()
        ),
        key=lambda route: (route.rule, route.endpoint),
    )


def parameter_values(slug: str, meetup_id: int) -> dict[str, str]:
    """Real ids from the seeded community for every parameter name the app uses."""
    community = db.session.query(Community).filter_by(slug=slug).one()
    group = db.session.query(Group).filter_by(meetup_id=meetup_id).first()
    return {
        "slug": slug,
        "meetup_id": str(meetup_id),
        "group_id": str(group.id if group else 1),
        "name": "left-out",
        "token": "not-a-real-token",
        "code": community.invite_code or "no-code",
        "action_name": "im-in",
        "answer": "going",
        "area_id": "1",
        "slot_id": "1",
        "filename": "hearth.css",
    }


_PARAMETER = re.compile(r"<(?:[^:<>]+(?:\([^)]*\))?:)?([a-z_]+)>")


def fill(rule: str, values: dict[str, str]) -> str:
    """The rule with every `<converter:name>` replaced by its value."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"no test value for route parameter {name!r} in {rule}"
        return values[name]

    return _PARAMETER.sub(value, rule)
