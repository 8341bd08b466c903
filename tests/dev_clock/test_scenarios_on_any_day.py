"""Development mode on the real clock: every way of trying a fixture gives its expected
findings on any day, years after the day the scenarios were written for.

The served request (``GET /fixtures/{name}/request``) is posted with its prefetch, and again
without it (the service then reads the embedded FHIR endpoint over a real socket); the
command line evaluates the files on disk. All on a day far from the fixtures' anchor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cds_service.cli import app as cli_app
from tests.live_server import LiveServer, live_server
from tests.scenario_files import SCENARIOS_DIR, ScenarioFiles, load_scenarios

SCENARIOS = load_scenarios()
FAR_DAY = "2031-06-20"  # years after the anchor, in another season
DAYS = ("2026-11-15", FAR_DAY)


@pytest.fixture(scope="module", params=DAYS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("clock")
    with live_server(
        today=request.param, database_url=f"sqlite:///{folder / 'f.sqlite3'}", var_dir=folder
    ) as running:
        yield running


def codes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(c["source"]["topic"]["code"] for c in response.json()["cards"])


def served_request(server: LiveServer, name: str) -> dict[str, Any]:
    response = httpx.get(f"{server.base_url}/fixtures/{name}/request")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("loaded", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_served_request_gives_the_expected_findings(
    server: LiveServer, loaded: ScenarioFiles
) -> None:
    body = served_request(server, loaded.name)
    assert body["fhirServer"] == f"{server.base_url}/fhir"  # the address served
    url = f"{server.base_url}/cds-services/{loaded.expected['service']}"
    assert codes(httpx.post(url, json=body)) == loaded.expected["findings"]
    body.pop("prefetch")
    assert codes(httpx.post(url, json=body, timeout=30)) == loaded.expected["findings"]


def test_the_served_fixtures_are_dated_around_the_evaluation_day(server: LiveServer) -> None:
    day = server.settings.evaluation_day().isoformat()
    body = served_request(server, "statin-and-hmgcr")
    dates = re.findall(
        r'"effectiveDateTime": ?"(\d{4}-\d{2}-\d{2})',
        httpx.get(
            f"{server.base_url}/fhir/Observation?patient={body['context']['patientId']}"
        ).text,
    )
    assert dates and max(dates) <= day
    assert max(dates) >= f"{int(day[:4]) - 1}{day[4:]}"  # within a year before the day


def test_the_list_of_scenarios_names_their_requests(server: LiveServer) -> None:
    listed = httpx.get(f"{server.base_url}/fixtures").json()["scenarios"]
    assert {s["name"] for s in listed} == {s.name for s in SCENARIOS}
    assert httpx.get(f"{server.base_url}/fixtures/..%2Fsecrets/request").status_code == 404
    assert httpx.get(f"{server.base_url}/fixtures/no-such-one/request").status_code == 404


@pytest.mark.parametrize(
    "loaded",
    [s for s in SCENARIOS if s.expected["service"].endswith("patient-view")][:6],
    ids=lambda s: s.name,
)
@pytest.mark.parametrize("filename", ["request.json", "bundle.json"])
def test_evaluate_gives_the_expected_findings_on_a_far_day(
    loaded: ScenarioFiles, filename: str
) -> None:
    path: Path = SCENARIOS_DIR / loaded.name / filename
    result = CliRunner().invoke(
        cli_app, ["evaluate", str(path), "--today", FAR_DAY, "--json"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    cards = json.loads(result.output)["cards"]
    assert sorted(c["source"]["topic"]["code"] for c in cards) == loaded.expected["findings"]
