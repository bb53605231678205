"""Fixtures for the security walks: the organizer tests' seeded world, with a matched preview
so group routes have a real group."""

from __future__ import annotations

import pytest

from tests.web.organizer.conftest import World
from tests.web.organizer.conftest import world as organizer_world  # noqa: F401
from webapp.services.matching import run_matching_round


@pytest.fixture()
def seeded(organizer_world: World) -> World:  # noqa: F811
    """Two communities, logged-in clients, a meetup with opt-ins and a previewed matching."""
    run_matching_round(organizer_world.meetup_id)
    return organizer_world


@pytest.fixture()
def make_app(app):  # type: ignore[no-untyped-def]
    """create_app with overrides; every engine is disposed at teardown (no leaked
    PostgreSQL connections)."""
    from webapp import create_app
    from webapp.extensions import db

    made = []

    def factory(overrides: dict):  # type: ignore[no-untyped-def]
        made.append(create_app(overrides))
        return made[-1]

    yield factory
    for other in made:
        with other.app_context():
            db.engine.dispose()
