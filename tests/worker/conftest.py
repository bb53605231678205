"""Fixtures for the pipeline tests: a switchable SMTP server the app sends to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services import free_port
from tests.worker.faulty_smtp import FaultySmtp


@pytest.fixture()
def faulty_smtp(app) -> Iterator[FaultySmtp]:  # type: ignore[no-untyped-def]
    """A FaultySmtp server on a free port; the app's SMTP settings point at it."""
    server = FaultySmtp(free_port())
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=2)
    yield server
    server.on_accept = None
    server.stop()
