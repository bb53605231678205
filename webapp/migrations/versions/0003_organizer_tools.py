"""organizer tools (issue 5)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """No schema change yet."""


def downgrade() -> None:
    """No schema change yet."""
