"""Doses on cards as ordered (docs/clinical-logic.md, "How doses are shown"), over every
fixture scenario's cards through HTTP: no non-glucocorticoid dose is ever shown per day (weekly
methotrexate read as daily is a known cause of fatal overdoses); mg/day appears only beside a
glucocorticoid."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.app_client import app_client
from tests.scenario_files import load_scenarios

SCENARIOS = load_scenarios()
GLUCOCORTICOIDS = ("prednisone", "prednisolone", "methylprednisolone", "glucocorticoid")
PER_DAY = re.compile(r"(/\s*d(ay)?\b|per day|a day\b)", re.I)


@pytest.fixture(scope="module")
def all_rows(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every evidence-table row of every card that cites a medication record or draft."""
    with app_client(tmp_path_factory.mktemp("doses")) as client:
        return [row for loaded in SCENARIOS for row in _medication_rows(client, loaded)]


def _medication_rows(client: TestClient, loaded: object) -> Iterator[str]:
    expected = loaded.expected  # type: ignore[attr-defined]
    request = loaded.request  # type: ignore[attr-defined]
    response = client.post(f"/cds-services/{expected['service']}", json=request)
    assert response.status_code == 200, response.text
    for card in response.json()["cards"]:
        for line in str(card.get("detail", "")).splitlines():
            if line.startswith("|") and "Medication" in line:
                yield line


def test_no_non_glucocorticoid_dose_is_shown_per_day(all_rows: list[str]) -> None:
    assert len(all_rows) > 20, "the scenarios cite medications"
    per_day = [r for r in all_rows if PER_DAY.search(r)]
    assert per_day, "glucocorticoid doses are shown per day"
    offending = [r for r in per_day if not any(gc in r.lower() for gc in GLUCOCORTICOIDS)]
    assert offending == []


def test_weekly_methotrexate_is_shown_as_ordered(all_rows: list[str]) -> None:
    """Every methotrexate order with a structured dose in the fixtures is 20 mg once weekly
    (methotrexate recorded without a dose shows none)."""
    methotrexate = [r for r in all_rows if "methotrexate, active" in r.lower()]
    dosed = [r for r in methotrexate if " mg" in r]
    assert dosed
    assert all("20 mg once weekly" in r for r in dosed), dosed
    assert not any("2.86" in r for r in methotrexate)
