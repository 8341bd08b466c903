"""The version is written once (pyproject.toml) and read from the package metadata."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from cds_service.app import create_app
from cds_service.cli import app
from cds_service.version import VERSION
from tests.app_client import settings_for_tests

PYPROJECT = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"


def test_the_version_is_the_one_pyproject_declares() -> None:
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert declared == VERSION


def test_the_command_line_and_the_openapi_document_give_the_same_version(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"myositis-cds {VERSION}"
    assert create_app(settings_for_tests(tmp_path)).openapi()["info"]["version"] == VERSION
