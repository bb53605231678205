"""The notification-tick bench on a few small communities: its own PostgreSQL database,
the deadline rush's people seated and published, and a run that finds nothing due."""

from __future__ import annotations

import os

import pytest

from bench import notification_tick
from tests.conftest import REQUIRE_SERVICES


def test_a_run_costs_the_same_statements_for_three_or_six_published_meetups():  # type: ignore[no-untyped-def]
    admin = os.environ.get("TEST_DATABASE_URL", "")
    if not admin.startswith("postgresql"):
        if REQUIRE_SERVICES:
            pytest.fail("the notification-tick bench needs PostgreSQL")
        pytest.skip("the notification-tick bench needs PostgreSQL")
    database = f"hearth_test_tick_{os.getpid()}"
    before = dict(os.environ)
    three = notification_tick.measure(3, 1, admin, database)
    six = notification_tick.measure(6, 1, admin, database)
    assert dict(os.environ) == before
    assert (three.meetups, six.meetups) == (3, 6)
    assert six.groups > three.groups > 0 and six.seats == 4 * six.groups
    assert three.queued == six.queued == 0, "nothing is due 40 hours ahead"
    assert 0 < six.statements == three.statements < 12
