"""Configuration from the environment, with defaults that need no server."""

from __future__ import annotations

import pytest

from webapp.config import load_config


def test_defaults_need_no_server(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    for name in (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "SMTP_HOST",
        "SMTP_PORT",
        "BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEARTH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hearth.sqlite'}"
    assert config["CELERY"]["broker_url"].startswith("sqla+sqlite:///")
    assert (config["SMTP_HOST"], config["SMTP_PORT"]) == ("127.0.0.1", 8025)


def test_generated_secret_key_is_kept_and_private(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("HEARTH_INSTANCE_PATH", str(tmp_path))
    first = load_config()["SECRET_KEY"]
    assert len(first) == 64
    assert load_config()["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_config()["SECRET_KEY"] == "from-the-environment"


def test_postgres_urls_use_psycopg(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HEARTH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_a_bad_number_names_the_variable(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HEARTH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SMTP_PORT", "twenty-five")
    with pytest.raises(ValueError, match="SMTP_PORT must be an integer"):
        load_config()


@pytest.mark.parametrize("value", ["soon", "-1", "inf", "nan"])
def test_a_bad_pool_wait_names_the_variable(monkeypatch, tmp_path, value):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HEARTH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("DB_POOL_TIMEOUT", value)
    with pytest.raises(ValueError, match="DB_POOL_TIMEOUT must be"):
        load_config()
