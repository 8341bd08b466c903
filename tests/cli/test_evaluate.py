"""``myositis-cds evaluate``: the same service object, offline, gives the service's cards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cds_service.cli import app
from tests.live_server import LiveServer, live_server
from tests.scenario_files import SCENARIOS_DIR, ScenarioFiles, load_scenarios

SCENARIOS = load_scenarios()
runner = CliRunner()
WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def service_codes() -> Iterator[dict[str, list[str]]]:
    """Finding codes the HTTP service answers for each scenario's request.json, in order."""
    with live_server() as server:
        yield {found.name: http_codes(server, found) for found in SCENARIOS}


def http_codes(server: LiveServer, found: ScenarioFiles) -> list[str]:
    assert found.expected["evaluationDate"] == server.settings.today.isoformat()  # type: ignore[union-attr]
    service = found.expected["service"]
    response = httpx.post(
        f"{server.base_url}/cds-services/{service}", json=found.request, timeout=30
    )
    assert response.status_code == 200, response.text
    return [card["source"]["topic"]["code"] for card in response.json()["cards"]]


def cli_cards(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["evaluate", *args, "--json"], env=WIDE)
    assert result.exit_code == 0, result.output
    cards: list[dict[str, Any]] = json.loads(result.stdout)["cards"]
    return cards


@pytest.mark.slow
@pytest.mark.parametrize("found", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_request_gives_the_services_cards(
    service_codes: dict[str, list[str]], found: ScenarioFiles
) -> None:
    path = SCENARIOS_DIR / found.name / "request.json"
    cards = cli_cards(str(path), "--today", found.expected["evaluationDate"])
    assert [c["source"]["topic"]["code"] for c in cards] == service_codes[found.name]


PATIENT_VIEW_SCENARIOS = [s for s in SCENARIOS if s.request["hook"] == "patient-view"]


@pytest.mark.parametrize(
    "found", PATIENT_VIEW_SCENARIOS, ids=[s.name for s in PATIENT_VIEW_SCENARIOS]
)
def test_bundle_becomes_full_prefetch(
    service_codes: dict[str, list[str]], found: ScenarioFiles
) -> None:
    """A patient's Bundle gives the cards of the patient-view request (the order scenarios'
    draft orders live in their request's context, not in the Bundle)."""
    path = SCENARIOS_DIR / found.name / "bundle.json"
    cards = cli_cards(str(path), "--today", found.expected["evaluationDate"])
    assert [c["source"]["topic"]["code"] for c in cards] == service_codes[found.name]


@pytest.mark.parametrize("found", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_table_lists_each_card_with_its_evidence(
    service_codes: dict[str, list[str]], found: ScenarioFiles
) -> None:
    path = SCENARIOS_DIR / found.name / "request.json"
    result = runner.invoke(
        app, ["evaluate", str(path), "--today", found.expected["evaluationDate"]], env=WIDE
    )
    assert result.exit_code == 0, result.output
    codes = service_codes[found.name]
    assert f"{len(codes)} card(s)" in result.output
    for index, code in enumerate(codes, 1):
        assert f"{index}. {code}: evidence" in result.output
    if not codes:
        assert "No cards" in result.output


def test_evidence_rows_cite_fhir_resources() -> None:
    path = SCENARIOS_DIR / "statin-and-hmgcr" / "request.json"
    result = runner.invoke(app, ["evaluate", str(path), "--today", "2026-11-15"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Anti-HMGCR" in result.output
    assert "MedicationRequest/" in result.output
    assert "suggestion: Stop the statin (recommended)" in result.output


def test_request_without_prefetch_answers_the_412_problems(tmp_path: Path) -> None:
    request = json.loads((SCENARIOS_DIR / "statin-and-hmgcr" / "request.json").read_text())
    del request["prefetch"]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    result = runner.invoke(app, ["evaluate", str(path), "--json"], env=WIDE)
    assert result.exit_code == 3
    outcome = json.loads(result.stdout)
    assert outcome["resourceType"] == "OperationOutcome"
    keys = " ".join(issue["diagnostics"] for issue in outcome["issue"])
    for key in ("patient", "conditions", "observations", "medicationRequests"):
        assert f"'{key}'" in keys
    table = runner.invoke(app, ["evaluate", str(path)], env=WIDE)
    assert table.exit_code == 3
    assert "412" in table.output


def test_bundle_as_order_sign_runs_the_order_service(tmp_path: Path) -> None:
    path = SCENARIOS_DIR / "statin-and-hmgcr" / "bundle.json"
    result = runner.invoke(
        app, ["evaluate", str(path), "--hook", "order-sign", "--json", "--today", "2026-11-15"]
    )
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout)["cards"], list)


def test_a_hook_other_than_the_requests_is_refused() -> None:
    path = SCENARIOS_DIR / "statin-and-hmgcr" / "request.json"
    result = runner.invoke(app, ["evaluate", str(path), "--hook", "order-select"])
    assert result.exit_code == 2
    assert "patient-view" in result.output


def test_unknown_hook_and_bad_date_are_refused() -> None:
    path = SCENARIOS_DIR / "statin-and-hmgcr" / "request.json"
    assert runner.invoke(app, ["evaluate", str(path), "--hook", "encounter-start"]).exit_code == 2
    assert runner.invoke(app, ["evaluate", str(path), "--today", "15/11/2026"]).exit_code == 2


def test_a_file_that_is_neither_request_nor_bundle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps({"resourceType": "Patient", "id": "x"}))
    result = runner.invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "neither" in result.output
