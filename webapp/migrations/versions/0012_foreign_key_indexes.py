"""foreign key indexes (issue 16): a meetup's groups, a group's members, a member's history

PostgreSQL indexes no foreign key by itself. These columns are looked up on hot paths
(a meetup's groups and slots, a group's members, a member's memberships, opt-ins, groups
and ratings) and each was a scan of the whole table; at a deadline of 2,000 communities
`groups` alone was scanned 179,000 times in 20 minutes, once per seat written (the check
of group_members' foreign key, planned while the table was empty), reading 4.1 billion
rows (bench/README.md, "Deadline rush").

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: (table, column): each gets the index the models name ix_<table>_<column>.
INDEXED = (
    ("groups", "meetup_id"),
    ("group_members", "group_id"),
    ("group_members", "member_id"),
    ("pair_feedback", "rater_id"),
    ("pair_feedback", "ratee_id"),
    ("meetup_feedback", "member_id"),
    ("meetups", "community_id"),
    ("meetup_slots", "meetup_id"),
    ("optins", "member_id"),
    ("memberships", "member_id"),
)


def upgrade() -> None:
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
