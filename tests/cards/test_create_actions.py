"""Every create action a card offers carries a verified code (RxNorm, LOINC or SNOMED CT from
mappings/orders.csv), and ``myositis-cds mappings check`` fails when one does not."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cds_service.cards.create_actions import (
    check_create_actions,
    orderable_cards,
    unverified_create_actions,
)
from cds_service.cli import app
from cds_service.terminology import DEFAULT_MAPPINGS_DIR, Terminology, load_terminology
from cds_service.terminology.check import update_hashes
from tests.cards.scenario_cards import scenario_cards

runner = CliRunner()


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return load_terminology(DEFAULT_MAPPINGS_DIR)


def create_actions(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        action
        for card in cards
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action["type"] == "create"
    ]


def test_every_fixture_scenario_create_action_is_coded_from_a_verified_row(
    terminology: Terminology,
) -> None:
    cards = [card for _, card in scenario_cards()]
    created = create_actions(cards)
    assert len(created) >= 5, "the scenarios offer orders to check"
    assert {a["resource"]["resourceType"] for a in created} == {
        "MedicationRequest",
        "ServiceRequest",
    }
    assert unverified_create_actions(cards, terminology) == []


def test_every_agent_and_workup_the_renderer_can_offer_is_verified(
    terminology: Terminology,
) -> None:
    cards = orderable_cards(terminology)
    assert check_create_actions(terminology) == []
    labels = [s["label"] for s in cards[0]["suggestions"]]
    # IVIG and tofacitinib were text-only orders; mycophenolate mofetil now has its own RXCUI.
    assert "IVIG: propose as next line" in labels
    assert "Tofacitinib: propose as next line" in labels
    mmf = next(s for s in cards[0]["suggestions"] if s["label"].startswith("Mycophenolate"))
    coding = mmf["actions"][0]["resource"]["medicationCodeableConcept"]["coding"]
    assert coding == [
        {
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
            "code": "68149",
            "display": "mycophenolate mofetil",
        }
    ]


def test_muscle_enzymes_are_five_loinc_orders(terminology: Terminology) -> None:
    workup_card = orderable_cards(terminology)[1]
    enzymes = next(s for s in workup_card["suggestions"] if "muscle enzymes" in s["label"])
    codes = [a["resource"]["code"]["coding"][0]["code"] for a in enzymes["actions"]]
    assert codes == ["2157-6", "2532-0", "1761-6", "1920-8", "1742-6"]


def test_unverified_work_up_stays_as_text(terminology: Terminology) -> None:
    workup_card = orderable_cards(terminology)[1]
    labels = {s["label"] for s in workup_card["suggestions"]}
    assert "Order myositis antibody panel" not in labels  # no verified panel code
    assert "Myositis-specific and -associated antibody panel" in workup_card["detail"]


def test_check_names_a_code_outside_the_verified_rows(terminology: Terminology) -> None:
    cards = copy.deepcopy(orderable_cards(terminology))
    tsh = next(s for s in cards[1]["suggestions"] if s["label"] == "Order TSH")
    tsh["actions"][0]["resource"]["code"]["coding"][0]["code"] = "2345-7"
    ivig = next(s for s in cards[0]["suggestions"] if s["label"].startswith("IVIG"))
    del ivig["actions"][0]["resource"]["medicationCodeableConcept"]["coding"]
    assert unverified_create_actions(cards, terminology) == [
        "card escalate-second-line, suggestion 'IVIG: propose as next line': "
        "the MedicationRequest it creates has no code",
        "card workup-incomplete, suggestion 'Order TSH': "
        "http://loinc.org|2345-7 is not a verified row of orders.csv",
    ]


def test_mappings_check_passes_on_the_shipped_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDS_MAPPINGS_DIR", str(DEFAULT_MAPPINGS_DIR))
    result = runner.invoke(app, ["mappings", "check"])
    assert result.exit_code == 0, result.output
    assert "mappings OK" in result.output


def test_mappings_check_fails_on_an_unverified_create_action_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = tmp_path / "mappings"
    shutil.copytree(DEFAULT_MAPPINGS_DIR, tables)
    orders = tables / "orders.csv"
    text = orders.read_text(encoding="utf-8")
    row = ",241640003,Magnetic resonance imaging of thigh (procedure),VERIFIED,"
    assert row in text
    orders.write_text(text.replace(row, row.replace("VERIFIED", "SECONDARY")), encoding="utf-8")
    update_hashes(tables)
    monkeypatch.setenv("CDS_MAPPINGS_DIR", str(tables))
    result = runner.invoke(app, ["mappings", "check"])
    assert result.exit_code == 1
    assert "a create action's code must be VERIFIED (241640003 is 'SECONDARY')" in result.output
