"""matching format v2 (issue 14): languages as codes, community areas, home and venue
coordinates, the times a member picked when opting in

Members' free-text languages become ISO 639-1 codes where the shipped list recognises them
("English" -> "en"); anything it does not recognise is kept as it was, so nothing typed is
lost (matching leaves it out, and the profile form asks the member to fix it on their next
save). The downgrade turns codes back into lower-case English names.

Revision ID: 0005
Revises: 0004
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The list the app ships (read here directly: a migration must not depend on app code).
LANGUAGES_FILE = Path(__file__).resolve().parents[2] / "data" / "languages.txt"


def _language_table() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased code or name -> code, code -> lower-cased English name)."""
    lookup: dict[str, str] = {}
    english: dict[str, str] = {}
    for line in LANGUAGES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, aliases = line.partition("\t")
        names = [a.strip().lower() for a in aliases.split(";") if a.strip()]
        english[code] = names[0]
        lookup[code] = code
        for name in names:
            lookup[name] = code
    return lookup, english


def _rewrite_languages(convert) -> None:  # type: ignore[no-untyped-def]
    """Apply `convert` to every member's language list, writing only the changed rows."""
    members = sa.table("members", sa.column("id", sa.Integer()), sa.column("languages", sa.JSON()))
    conn = op.get_bind()
    for member_id, languages in conn.execute(sa.select(members.c.id, members.c.languages)).all():
        old = list(languages or [])
        new = list(dict.fromkeys(convert(str(value)) for value in old))
        if new != old:
            conn.execute(members.update().where(members.c.id == member_id).values(languages=new))


def upgrade() -> None:
    """Add the v2 columns and the areas table; map languages to codes."""
    op.create_table(
        "community_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_areas_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_areas")),
        sa.UniqueConstraint(
            "community_id", "name", name=op.f("uq_community_areas_community_id_name")
        ),
    )
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("home_lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("home_lon", sa.Float(), nullable=True))
    with op.batch_alter_table("venues") as batch:
        batch.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("lon", sa.Float(), nullable=True))
    with op.batch_alter_table("optins") as batch:
        batch.add_column(sa.Column("slot_ids", sa.JSON(), nullable=True))

    lookup, _ = _language_table()
    _rewrite_languages(lambda text: lookup.get(" ".join(text.lower().split()), text))


def downgrade() -> None:
    """Codes back to lower-case English names; drop the v2 columns and the areas table."""
    _, english = _language_table()
    _rewrite_languages(lambda text: english.get(text, text))
    with op.batch_alter_table("optins") as batch:
        batch.drop_column("slot_ids")
    with op.batch_alter_table("venues") as batch:
        batch.drop_column("lon")
        batch.drop_column("lat")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("home_lon")
        batch.drop_column("home_lat")
    op.drop_table("community_areas")
