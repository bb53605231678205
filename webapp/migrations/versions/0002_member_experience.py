"""member experience (issue 4): confirmed email, pause, profile details, RSVP, blocks,
safety reports, loneliness check-ins

Revision ID: 0002
Revises: 0001
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MEMBER_COLUMNS = (
    "email_confirmed_at",
    "paused_until",
    "session_token",
    "area",
    "travel_km",
    "preferred_group_size",
    "no_groups_of_two",
    "languages",
    "diet",
    "accessibility_needs",
    "deleted_at",
)


def upgrade() -> None:
    """Add the member experience's columns and tables."""
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("paused_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("area", sa.String(length=80), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("travel_km", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("preferred_group_size", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("no_groups_of_two", sa.Boolean(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("languages", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(
            sa.Column("diet", sa.String(length=300), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "accessibility_needs", sa.String(length=300), server_default="", nullable=False
            )
        )
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    # Existing accounts: a session token each, and their address counts as confirmed (they
    # signed up before confirmation existed and have been receiving our email since).
    members = sa.table(
        "members",
        sa.column("id", sa.Integer()),
        sa.column("session_token", sa.String()),
        sa.column("email_confirmed_at", sa.DateTime()),
        sa.column("created_at", sa.DateTime()),
    )
    conn = op.get_bind()
    for (member_id,) in conn.execute(sa.select(members.c.id)).all():
        conn.execute(
            members.update()
            .where(members.c.id == member_id)
            .values(session_token=secrets.token_hex(16), email_confirmed_at=members.c.created_at)
        )
    with op.batch_alter_table("members") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table("group_members") as batch:
        batch.add_column(
            sa.Column(
                "rsvp",
                sa.Enum("pending", "going", "cant", name="rsvp", native_enum=False, length=20),
                server_default="pending",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("rsvp_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("from_standby", sa.Boolean(), server_default="0", nullable=False)
        )

    op.create_table(
        "blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("blocker_id <> blocked_id", name=op.f("ck_blocks_not_self")),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["members.id"],
            name=op.f("fk_blocks_blocked_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["members.id"],
            name=op.f("fk_blocks_blocker_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
        sa.UniqueConstraint(
            "blocker_id", "blocked_id", name=op.f("uq_blocks_blocker_id_blocked_id")
        ),
    )
    op.create_table(
        "safety_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reported_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_safety_reports_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetups.id"],
            name=op.f("fk_safety_reports_meetup_id_meetups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reported_id"],
            ["members.id"],
            name=op.f("fk_safety_reports_reported_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["members.id"],
            name=op.f("fk_safety_reports_reporter_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_reports")),
    )
    op.create_table(
        "loneliness_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("lack_companionship", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.Integer(), nullable=False),
        sa.Column("isolated", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "lack_companionship BETWEEN 1 AND 3",
            name=op.f("ck_loneliness_checkins_companionship_range"),
        ),
        sa.CheckConstraint(
            "left_out BETWEEN 1 AND 3", name=op.f("ck_loneliness_checkins_left_out_range")
        ),
        sa.CheckConstraint(
            "isolated BETWEEN 1 AND 3", name=op.f("ck_loneliness_checkins_isolated_range")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_loneliness_checkins_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loneliness_checkins")),
    )
    op.create_index(
        op.f("ix_loneliness_checkins_member_id"), "loneliness_checkins", ["member_id"]
    )
    op.create_index(
        op.f("ix_loneliness_checkins_created_at"), "loneliness_checkins", ["created_at"]
    )


def downgrade() -> None:
    """Remove them again."""
    op.drop_index(op.f("ix_loneliness_checkins_created_at"), table_name="loneliness_checkins")
    op.drop_index(op.f("ix_loneliness_checkins_member_id"), table_name="loneliness_checkins")
    op.drop_table("loneliness_checkins")
    op.drop_table("safety_reports")
    op.drop_table("blocks")
    with op.batch_alter_table("group_members") as batch:
        for column in ("from_standby", "rsvp_at", "rsvp"):
            batch.drop_column(column)
    with op.batch_alter_table("members") as batch:
        for column in reversed(MEMBER_COLUMNS):
            batch.drop_column(column)
