"""The migrations create exactly what the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp.extensions import db


def test_models_and_migrations_agree(app):  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_languages_become_codes_and_what_cannot_be_mapped_is_kept(app, tmp_path):  # type: ignore[no-untyped-def]
    """Migration 0005 maps free-text languages to ISO 639-1 codes where recognisable and
    keeps the rest as typed; its downgrade turns codes back into names."""
    from datetime import datetime

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from webapp import create_app

    old = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    members = sa.table(
        "members",
        *(sa.column(c) for c in ("email", "password_hash", "display_name", "about")),
        sa.column("created_at", sa.DateTime()),
        sa.column("session_token"),
        sa.column("languages", sa.JSON()),
    )
    with old.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(
                members.insert().values(
                    email="a@example.org",
                    password_hash="x",
                    display_name="A",
                    about="",
                    created_at=datetime(2024, 1, 1),
                    session_token="t",
                    languages=["english", "spanish", "Klingon", "en", "pt"],
                )
            )
        upgrade(revision="0005")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.select(members.c.languages)) == ["en", "es", "Klingon", "pt"]
        downgrade(revision="0004")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.select(members.c.languages)) == [
                "english",
                "spanish",
                "Klingon",
                "portuguese",
            ]
        db.engine.dispose()
