"""Helpers for the member-experience tests: reading links out of queued emails."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import OutboxEmail


def last_email(kind: str, to: str | None = None) -> OutboxEmail | None:
    """The newest queued email of a kind (and address)."""
    query = select(OutboxEmail).where(OutboxEmail.kind == kind)
    if to:
        query = query.where(OutboxEmail.to_address == to)
    return db.session.scalar(query.order_by(OutboxEmail.id.desc()))


def link_in(email: OutboxEmail | None) -> str:
    """The first https?:// link's path in an email body."""
    assert email is not None, "no such email was queued"
    found = re.search(r"(https?://[^/\s]+)(/\S+)", email.body_text)
    assert found, email.body_text
    return found.group(2)


@pytest.fixture()
def base_url(app):  # type: ignore[no-untyped-def]
    """A distinctive BASE_URL, to check links never come from the request's Host."""
    app.config["BASE_URL"] = "https://hearth.example"
    return "https://hearth.example"
