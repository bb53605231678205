"""outbox index (issue 16): a member's emails about a meetup, found without a table scan

Each match email counts the member's earlier calendar emails about the meetup (the
SEQUENCE of its invite). Without this index that count scans the whole outbox, so at a
deadline of 2,000 meetups publishing slowed from ~25 to ~6 meetups a minute as the outbox
grew past 60,000 rows (bench/deadline.py, bench/README.md "Deadline rush").

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails") as batch:
        batch.create_index("ix_outbox_emails_member_meetup", ["member_id", "meetup_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails") as batch:
        batch.drop_index("ix_outbox_emails_member_meetup")
