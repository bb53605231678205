"""reliable email pipeline (issue 6)

Outbox rows gain an HTML body, sender name, calendar object, unsubscribe URL, a unique
de-duplication key, backoff (`next_attempt_at`) and a worker lease (`claimed_until`);
new tables for members' email preferences and for counting task starts (quarantine).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the pipeline's columns and tables."""
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("sender_name", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("calendar_ics", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("unsubscribe_url", sa.String(length=1000), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "next_attempt_at",
                sa.DateTime(),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_emails_dedupe_key"), ["dedupe_key"])
        batch_op.create_index("ix_outbox_emails_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "email_preferences",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_email_preferences_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "kind", name=op.f("pk_email_preferences")),
    )
    op.create_table(
        "task_attempts",
        sa.Column("task_id", sa.String(length=155), nullable=False),
        sa.Column("task_name", sa.String(length=200), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_started_at", sa.DateTime(), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_attempts")),
    )
    with op.batch_alter_table("task_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_attempts_quarantined_at"), ["quarantined_at"], unique=False
        )


def downgrade() -> None:
    """Remove them again."""
    with op.batch_alter_table("task_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_attempts_quarantined_at"))
    op.drop_table("task_attempts")
    op.drop_table("email_preferences")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_emails_due")
        batch_op.drop_constraint(batch_op.f("uq_outbox_emails_dedupe_key"), type_="unique")
        for column in (
            "claimed_until",
            "next_attempt_at",
            "dedupe_key",
            "unsubscribe_url",
            "calendar_ics",
            "sender_name",
            "body_html",
        ):
            batch_op.drop_column(column)
