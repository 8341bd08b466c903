"""Schema migrations: what they build equals what the service uses, on SQLite and PostgreSQL;
they run once however many upgrade at the same time; older databases are adopted."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from cds_service.app import create_app
from cds_service.settings import Settings
from cds_service.storage import SchemaGate, make_engine, schema_status, upgrade_database
from cds_service.storage.migrate import MIGRATIONS
from cds_service.storage.schema import HEAD_REVISION, metadata
from tests.app_client import migrated, settings_for_tests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FEEDBACK_URL = "/cds-services/myositis-refractory-patient-view/feedback"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def test_head_revision_is_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_a_new_database_is_at_no_revision_and_not_ready(engine: Engine) -> None:
    status = schema_status(engine)
    assert status.current is None and not status.at_head
    assert "myositis-cds db upgrade" in (status.problem() or "")


def test_upgrade_builds_exactly_the_schema_the_service_uses(
    database_url: str, engine: Engine
) -> None:
    status = upgrade_database(database_url)
    assert status.current == HEAD_REVISION and status.problem() is None
    assert differences(engine) == []
    assert {"feedback", "auth_jti_replay", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )


def test_upgrade_again_changes_nothing_and_keeps_rows(database_url: str, engine: Engine) -> None:
    upgrade_database(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO auth_jti_replay (key, expires_at) VALUES ('k', 1)"))
    assert upgrade_database(database_url).current == HEAD_REVISION
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM auth_jti_replay")).scalar() == 1


def test_eight_upgrades_at_once_all_succeed_and_migrate_once(
    database_url: str, engine: Engine
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _i: upgrade_database(database_url), range(8)))
    assert {status.current for status in statuses} == {HEAD_REVISION}
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [(HEAD_REVISION,)]
    assert differences(engine) == []


def test_a_database_made_before_migrations_is_adopted_with_its_rows(
    database_url: str, engine: Engine
) -> None:
    # What the service's create_all made before migrations existed (feedback only: auth off).
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE feedback (id INTEGER NOT NULL PRIMARY KEY, "
                "service_id VARCHAR(128) NOT NULL, card_uuid VARCHAR(64) NOT NULL, "
                "outcome VARCHAR(16) NOT NULL, outcome_timestamp VARCHAR(64) NOT NULL, "
                "accepted_suggestions TEXT NOT NULL, override_reason TEXT NOT NULL, "
                "received_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                "UNIQUE (service_id, card_uuid, outcome, outcome_timestamp))"
            )
        )
        connection.execute(
            text(
                "INSERT INTO feedback VALUES (1, 's', 'c', 'accepted', 't', '[]', '{}', "
                "'2026-11-15 10:00:00+00:00')"
            )
        )
    assert upgrade_database(database_url).current == HEAD_REVISION
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM feedback")).scalar() == 1
    assert "auth_jti_replay" in inspect(engine).get_table_names()


def test_schema_gate_waits_for_the_upgrade_then_remembers(
    database_url: str, engine: Engine
) -> None:
    gate = SchemaGate(engine)
    assert gate.status().problem() is not None
    upgrade_database(database_url)
    assert gate.status().at_head
    with engine.begin() as connection:  # once at head, no further query is made
        connection.execute(text("DROP TABLE alembic_version"))
    assert gate.status().at_head


def test_an_unmigrated_database_makes_the_service_not_ready_and_feedback_503(
    tmp_path: Path,
) -> None:
    from fastapi.testclient import TestClient

    url = f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"
    settings = Settings.model_validate({"env": "dev", "auth_required": False, "database_url": url})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert any("db upgrade" in problem for problem in ready.json()["problems"])
        item = {
            "card": "9f6e4a8e-6f0b-4d3e-8f3c-1a2b3c4d5e6f",
            "outcome": "overridden",
            "outcomeTimestamp": "2026-11-15T10:00:00Z",
        }
        stored = client.post(FEEDBACK_URL, json={"feedback": [item]})
        assert stored.status_code == 503
        assert stored.json()["resourceType"] == "OperationOutcome"
        assert url not in stored.text
        upgrade_database(url)  # the operator runs the migration: the same workers recover
        assert client.get("/readyz").status_code == 200
        assert client.post(FEEDBACK_URL, json={"feedback": [item]}).json()["stored"] == 1


def test_a_migrated_database_is_ready(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(migrated(settings_for_tests(tmp_path)))) as client:
        assert client.get("/readyz").json() == {"status": "ready"}


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "CDS_DATABASE_URL": database_url,
        "CDS_ENV": "dev",
        "CDS_AUTH_REQUIRED": "false",
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "cds_service.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_db_current_then_upgrade(database_url: str) -> None:
    before = cli("db", "current", database_url=database_url)
    assert before.returncode == 1 and "db upgrade" in before.stderr
    upgraded = cli("db", "upgrade", database_url=database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database at revision {HEAD_REVISION}" in upgraded.stdout
    assert cli("db", "current", database_url=database_url).returncode == 0


def test_cli_db_upgrade_on_an_unreachable_database_fails_without_echoing_the_url() -> None:
    url = "postgresql://cds:s3cret@127.0.0.1:1/nowhere"
    result = cli("db", "upgrade", database_url=url)
    assert result.returncode == 1
    assert "database migration failed: OperationalError" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert json.dumps(url) not in result.stderr
