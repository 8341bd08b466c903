"""Every scenario runs with logging captured: no identifier, name, token or URL in the log."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.app_client import app_client
from tests.scenario_files import load_scenarios

TOKEN = "super-secret-access-token-4f1c"


def sensitive_strings(bundle: dict[str, Any], request: dict[str, Any]) -> set[str]:
    found = {TOKEN, request["fhirServer"], "127.0.0.1"}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            found.add(resource["id"])
            for name in resource.get("name", []):
                found.add(name["family"])
                found.update(name.get("given", []))
            found.update(i["value"] for i in resource.get("identifier", []))
            found.add(resource["birthDate"])
    return found


@pytest.mark.parametrize("name", [s.name for s in load_scenarios()])
def test_no_patient_data_in_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    loaded = next(s for s in load_scenarios() if s.name == name)
    body = copy.deepcopy(loaded.request)
    body["fhirAuthorization"] = {
        "access_token": TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "myositis-cds",
    }
    patient_id = body["context"]["patientId"]
    caplog.set_level(logging.DEBUG)
    with app_client(tmp_path) as client:
        service = loaded.expected["service"]
        response = client.post(f"/cds-services/{service}", json=body)
        assert response.status_code == 200
        client.post(
            f"/cds-services/{service}/feedback",
            json={
                "feedback": [
                    {
                        "card": "9f6e4a8e-6f0b-5d3e-8f3c-1a2b3c4d5e6f",
                        "outcome": "overridden",
                        "overrideReason": {"userComment": f"about {patient_id}"},
                        "outcomeTimestamp": "2026-11-15T10:00:00Z",
                    }
                ]
            },
        )
    log_text = "\n".join(record.getMessage() for record in caplog.records)
    assert "cds_call" in log_text, "the call was logged"
    for line in log_text.splitlines():
        if line.startswith("{"):
            json.loads(line)
    for secret in sensitive_strings(loaded.bundle, body):
        assert secret not in log_text, f"log leaks {secret!r}"
