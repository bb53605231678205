"""languages (issue 17): a member's chosen language and a community's default for emails

Both nullable: a member with none gets pages in their browser's language and emails in
their community's default; a community with none writes in English.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=8), nullable=True))
    with op.batch_alter_table("communities") as batch:
        batch.add_column(sa.Column("default_locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("communities") as batch:
        batch.drop_column("default_locale")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("locale")
