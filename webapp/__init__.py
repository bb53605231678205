"""Hearth's web application: the one app factory."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import i18n, load_shedding
from webapp.celery import celery_init_app
from webapp.config import load_config
from webapp.db_connections import ping_when_idle
from webapp.extensions import csrf, db, login_manager, migrate

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app from the environment, then apply any overrides (tests use them)."""
    config = load_config()
    app = Flask(
        __name__, template_folder=str(TEMPLATES), instance_path=str(config["INSTANCE_PATH"])
    )
    app.config.update(config)
    if config_overrides:
        app.config.update(config_overrides)
    _tune_sqlite(app)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    _check_server_connections(app)
    load_shedding.init_app(app)  # first: a shed request costs as little as possible
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    celery_init_app(app)

    from webapp import (
        input_guard,
        models,  # noqa: F401  (registers the tables)
        rate_limits,
        security_headers,
    )
    from webapp.auth import bp as auth_bp
    from webapp.errors import register_error_handlers
    from webapp.links import bp as links_bp
    from webapp.members import bp as members_bp
    from webapp.organizer import bp as organizer_bp
    from webapp.templating import register_template_helpers

    app.register_blueprint(auth_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(links_bp)
    register_error_handlers(app)
    register_template_helpers(app)
    security_headers.init_app(app)
    input_guard.init_app(app)
    rate_limits.init_app(app)
    from webapp import api  # after the pages' blueprints, whose services it reuses

    api.init_app(app)  # after the rate limiter, which it uses
    return app


def _tune_sqlite(app: Flask) -> None:
    """Let the web server, worker and scheduler share one SQLite file without lock errors."""
    if _is_sqlite(app):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})


def _is_sqlite(app: Flask) -> bool:
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")


def _check_server_connections(app: Flask) -> None:
    """A database server's pooled connections are checked after idleness (db_connections)."""
    if not _is_sqlite(app):
        with app.app_context():
            ping_when_idle(db.engine)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection (others untouched)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
