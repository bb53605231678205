"""organizer tools (issue 5): community details, matching policy and preview, series,
audit log, dashboard snapshots

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the organizer tools' columns and tables."""
    op.create_table(
        "meetup_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum("weekly", "fortnightly", "monthly", name="frequency", native_enum=False,
                    length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name="fk_meetup_series_community_id_communities",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_meetup_series"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["members.id"],
                                name="fk_audit_entries_actor_id_members", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name="fk_audit_entries_community_id_communities",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_community_id", "audit_entries", ["community_id"])
    op.create_index("ix_audit_entries_created_at", "audit_entries", ["created_at"])
    op.create_table(
        "dashboard_snapshots",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name="fk_dashboard_snapshots_community_id_communities",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("community_id", name="pk_dashboard_snapshots"),
    )
    with op.batch_alter_table("communities") as batch:
        batch.add_column(sa.Column("city", sa.String(length=120), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("interest_tags", sa.JSON(), server_default="[]",
                                   nullable=False))
        batch.add_column(sa.Column("invite_code", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_communities_invite_code", ["invite_code"])
    with op.batch_alter_table("meetups") as batch:
        batch.add_column(sa.Column(
            "policy",
            sa.Enum("balanced", "new_faces", "deepen", name="matchingpolicy", native_enum=False,
                    length=20),
            server_default="balanced", nullable=False))
        batch.add_column(sa.Column("welcome_newcomers", sa.Boolean(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("standby_enabled", sa.Boolean(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("auto_publish", sa.Boolean(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unmatched", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("locked_group_ids", sa.JSON(), server_default="[]",
                                   nullable=False))
        batch.add_column(sa.Column("match_version", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_meetups_series_id_meetup_series", "meetup_series",
                                 ["series_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    """Remove them again."""
    with op.batch_alter_table("meetups") as batch:
        batch.drop_constraint("fk_meetups_series_id_meetup_series", type_="foreignkey")
        for column in ("published_at", "match_version", "locked_group_ids", "unmatched",
                       "series_id", "auto_publish", "standby_enabled", "welcome_newcomers",
                       "policy"):
            batch.drop_column(column)
    with op.batch_alter_table("communities") as batch:
        batch.drop_constraint("uq_communities_invite_code", type_="unique")
        for column in ("invite_code", "interest_tags", "city"):
            batch.drop_column(column)
    op.drop_table("dashboard_snapshots")
    op.drop_index("ix_audit_entries_created_at", table_name="audit_entries")
    op.drop_index("ix_audit_entries_community_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("meetup_series")
