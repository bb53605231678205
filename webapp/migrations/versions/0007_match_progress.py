"""match progress (issue 16): one row per meetup with its latest matching run's state

No foreign key to meetups: a progress write must never wait for the meetup row's lock.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_progress",
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("limit_seconds", sa.Float(), nullable=True),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("meetup_id"),
    )
    with op.batch_alter_table("match_progress") as batch:
        batch.create_index(batch.f("ix_match_progress_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_progress") as batch:
        batch.drop_index(batch.f("ix_match_progress_updated_at"))
    op.drop_table("match_progress")
