"""outbox bodies out of line (issue 16): marking a row rewrites 0.2 KB instead of 1.6 KB

A match email's text, HTML and calendar bodies come to ~3 KB compressed; PostgreSQL kept
all but the largest inside the row, so each of the two updates of a delivery (the claim,
then "sent") wrote a new ~1.6 KB row version, and as much WAL: at 2,000 communities the
outbox heap reached 955 MB with 204,000 rows. With `toast_tuple_target` at its minimum the
bodies are compressed into the TOAST table once, at insert, and an update copies only
their pointers (3,000 of those rows: 4.9 MB of heap as they were stored, 0.66 MB so).
PostgreSQL only (SQLite has no such storage); existing rows move out when next written.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE outbox_emails SET (toast_tuple_target = 128)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE outbox_emails RESET (toast_tuple_target)")
