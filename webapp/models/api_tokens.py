"""API tokens (issue 17): bearer tokens for the JSON API under /api/v1.

Two kinds: an organizer token acts for one community (created and revoked on its settings
page), a member token reads one member's own groups and calendar (created on the account
page). Only the SHA-256 of a token is stored: the token itself is shown once, at creation.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._time import utcnow


class ApiTokenKind(enum.StrEnum):
    """Whom a token speaks for: a community's organizers, or one member about themselves."""

    ORGANIZER = "organizer"
    MEMBER = "member"


class ApiToken(db.Model):
    """One bearer token; a revoked token stays as a row (the settings page lists it)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApiTokenKind] = mapped_column(
        Enum(
            ApiTokenKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    #: Hex SHA-256 of the token; the token is high-entropy random, so no salt or slow hash.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, so people can tell their tokens apart on the page.
    prefix: Mapped[str] = mapped_column(String(16))
    #: What the creator called it, e.g. "Website events widget".
    name: Mapped[str] = mapped_column(String(80))
    #: The community an organizer token acts for; None for member tokens.
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Who created it: the organizer it acts as (audit entries name them), or the member
    #: whose groups it reads. An organizer token stops working once they stop organising.
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the token last opened a request (naive UTC, written at most once a minute).
    last_used_at: Mapped[datetime | None]
    #: When it was revoked (naive UTC); None while it works.
    revoked_at: Mapped[datetime | None]

    member = relationship("Member")
    community = relationship("Community")

    @property
    def is_active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None
