"""Every fixture scenario through HTTP: the findings a clinician expects, and no more.

The expected findings of each scenario (fixtures/scenarios/<name>/expected.json) are written
by hand in tools/scenarios.py from docs/clinical-logic.md, never copied from the service.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cds_service.engine.findings import FindingCode
from tests.app_client import app_client
from tests.scenario_files import ScenarioFiles, load_scenarios
from tools.make_fixtures import SCENARIOS_DIR, files_for, render
from tools.scenarios import all_scenarios

SCENARIOS = load_scenarios()
SUPPRESSORS = {
    "suspect-ibm",
    "suspect-steroid-myopathy",
    "suspect-hypothyroidism",
    "weakness-likely-damage",
}
PATIENT_VIEW_CODES = {c.value for c in FindingCode if not c.value.startswith("order-")}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("scenarios")) as c:
        yield c


def run(client: TestClient, loaded: ScenarioFiles) -> list[dict[str, object]]:
    response = client.post(f"/cds-services/{loaded.expected['service']}", json=loaded.request)
    assert response.status_code == 200, response.text
    cards: list[dict[str, object]] = response.json()["cards"]
    return cards


def code_of(card: dict[str, object]) -> str:
    source = card["source"]
    assert isinstance(source, dict)
    return str(source["topic"]["code"])


@pytest.mark.parametrize("loaded", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_gives_the_expected_findings(client: TestClient, loaded: ScenarioFiles) -> None:
    cards = run(client, loaded)
    assert sorted(code_of(c) for c in cards) == loaded.expected["findings"]
    for code, agent in loaded.expected["recommended"].items():
        card = next(c for c in cards if code_of(c) == code)
        suggestions = card["suggestions"]
        assert isinstance(suggestions, list)
        recommended = [s["label"] for s in suggestions if s.get("isRecommended")]
        assert len(recommended) == 1
        assert recommended[0].startswith(agent)


@pytest.mark.parametrize("loaded", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_no_scenario_contradicts_the_precedence_rules(
    client: TestClient, loaded: ScenarioFiles
) -> None:
    cards = run(client, loaded)
    codes = {code_of(c) for c in cards}
    if codes & SUPPRESSORS:
        # A muscle mimic leaves only an escalation driven by lung or skin disease, which says
        # so in its summary (docs/clinical-logic.md, "precedence").
        for card in cards:
            if code_of(card) in {"escalate-second-line", "escalate-third-line"}:
                assert "Driven by active" in str(card["summary"])


def test_every_patient_view_finding_code_fires_in_some_scenario() -> None:
    fired = {
        code
        for s in SCENARIOS
        if s.expected["service"].endswith("patient-view")
        for code in s.expected["findings"]
    }
    assert fired == PATIENT_VIEW_CODES


def test_adult_and_juvenile_scenarios_exist() -> None:
    names = {s.name for s in SCENARIOS}
    assert any("juvenile" in n for n in names)
    assert len(names) > 10


def test_fixture_files_are_what_tools_scenarios_describes() -> None:
    for scenario in all_scenarios():
        folder = SCENARIOS_DIR / scenario.name
        for filename, document in files_for(scenario).items():
            on_disk = (folder / filename).read_text(encoding="utf-8")
            assert on_disk == render(document), f"run python -m tools.make_fixtures ({folder})"
    on_disk_names = {p.name for p in Path(SCENARIOS_DIR).iterdir() if p.is_dir()}
    assert on_disk_names == {s.name for s in all_scenarios()}


def empty_members(value: object, path: str = "") -> list[str]:
    """Paths of null or empty values anywhere in a JSON document."""
    if value is None or value in ("", [], {}):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_members(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in empty_members(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("loaded", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_responses_never_carry_null_or_empty_values(
    client: TestClient, loaded: ScenarioFiles
) -> None:
    response = client.post(f"/cds-services/{loaded.expected['service']}", json=loaded.request)
    body = response.json()
    assert empty_members(body["cards"], "cards") == ([] if body["cards"] else ["cards"])
