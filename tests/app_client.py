"""An in-process client for the app (no network), with settings for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cds_service.app import create_app
from cds_service.settings import Settings
from cds_service.storage import upgrade_database


def settings_for_tests(tmp_path: Path, **overrides: Any) -> Settings:
    """Development settings with a database in ``tmp_path`` (not migrated: see ``migrated``)."""
    values: dict[str, Any] = {
        "env": "dev",
        "auth_required": False,
        "database_url": f"sqlite:///{tmp_path / 'feedback.sqlite3'}",
        "today": "2026-11-15",
        "var_dir": tmp_path / "var",
    }
    values.update(overrides)
    return Settings.model_validate(values)


def migrated(settings: Settings) -> Settings:
    """``settings`` after its database is migrated, as ``serve`` does before the app starts."""
    upgrade_database(settings.database_url)
    return settings


def app_client(tmp_path: Path, **overrides: Any) -> TestClient:
    settings = migrated(settings_for_tests(tmp_path, **overrides))
    return TestClient(create_app(settings), raise_server_exceptions=False)
