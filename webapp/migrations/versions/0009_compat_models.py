"""learned compatibility (issue 15): a community's trained models and its organizer switch

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compat_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("feature_set_version", sa.String(length=40), nullable=False),
        sa.Column("model_json", sa.Text(), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.Column("n_pairs", sa.Integer(), nullable=False),
        sa.Column("n_meetups", sa.Integer(), nullable=False),
        sa.Column("validation", sa.JSON(), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_compat_models_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compat_models")),
        sa.UniqueConstraint(
            "community_id", "version", name=op.f("uq_compat_models_community_id_version")
        ),
    )
    with op.batch_alter_table("compat_models") as batch:
        batch.create_index(batch.f("ix_compat_models_community_id"), ["community_id"], unique=False)
    op.create_table(
        "compat_settings",
        sa.Column("community_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("use_learned", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("fallback_code", sa.String(length=40), server_default="", nullable=False),
        sa.Column("fallback_detail", sa.String(length=300), server_default="", nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("used_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_compat_settings_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_compat_settings")),
    )


def downgrade() -> None:
    op.drop_table("compat_settings")
    with op.batch_alter_table("compat_models") as batch:
        batch.drop_index(batch.f("ix_compat_models_community_id"))
    op.drop_table("compat_models")
