"""Fuzzing every endpoint of the OpenAPI document: whatever arrives, never a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from cds_service.app import create_app
from tests.app_client import migrated, settings_for_tests

_DATABASE_DIR = Path(tempfile.mkdtemp(prefix="cds-fuzz-"))
app = create_app(migrated(settings_for_tests(_DATABASE_DIR)))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors(case: schemathesis.Case[Any]) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
