"""Alembic environment for Flask-Migrate: migrate the app's database to the models' schema."""

import logging

from alembic import context
from flask import current_app

logger = logging.getLogger("alembic.env")
config = context.config
migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
target_metadata = migrate_ext.db.metadata
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline() -> None:
    """Emit the SQL for the migrations without connecting (`hearth db upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection; autogenerate writes nothing when nothing changed."""

    def skip_empty(context, revision, directives):  # type: ignore[no-untyped-def]
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", skip_empty)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
