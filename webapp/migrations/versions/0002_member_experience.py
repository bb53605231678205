"""member experience (issue 4)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """No schema change yet."""


def downgrade() -> None:
    """No schema change yet."""
