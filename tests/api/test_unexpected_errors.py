"""An unexpected exception answers a bare 500 OperationOutcome: no trace to the caller or log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cds_service.cdshooks.pipeline import Pipeline
from tests.app_client import app_client
from tests.scenario_files import scenario


def test_an_exception_in_the_pipeline_is_a_bare_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret patient detail syn-hmgcr-statin")

    monkeypatch.setattr(Pipeline, "run", explode)
    caplog.set_level(logging.DEBUG)
    with app_client(tmp_path) as client:
        response = client.post(
            "/cds-services/myositis-refractory-patient-view",
            json=scenario("statin-and-hmgcr").request,
        )
    assert response.status_code == 500
    assert response.json() == {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "exception", "diagnostics": "internal error"}],
    }
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "RuntimeError" in logged
    assert "secret patient detail" not in logged
    assert "Traceback" not in logged
