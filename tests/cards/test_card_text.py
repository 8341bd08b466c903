"""Card text is written for clinicians: no internal file names, units as people write them,
no line that repeats the summary, and a link to the card's section of the clinical logic."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cds_service.api.routes.reference import DOCS, render_page
from cds_service.cards.doc_links import anchor, clinical_logic_url
from cds_service.cards.units import for_people
from cds_service.engine.registry import ALL_RULES
from tests.cards.scenario_cards import scenario_cards

INTERNAL_NAMES = re.compile(
    r"clinical-reference|contract\.md|architecture\.md|shared/|\.md\b|§", re.IGNORECASE
)
UCUM_ANNOTATION = re.compile(r"\d\s*\{[^}]*\}|m\[IU\]|\[IU\]")


def texts(card: dict[str, Any]) -> list[str]:
    found = [card["summary"], card.get("detail", "")]
    for suggestion in card.get("suggestions", []):
        found.append(suggestion["label"])
        found.extend(a.get("description", "") for a in suggestion["actions"])
    return found


CARDS = scenario_cards()


def test_the_scenarios_give_cards_to_read() -> None:
    assert len(CARDS) >= 20
    assert any("points" in card["detail"] for _, card in CARDS), "a score is shown"


@pytest.mark.parametrize(
    ("name", "card"), CARDS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CARDS)]
)
def test_card_text_is_for_clinicians(name: str, card: dict[str, Any]) -> None:
    for text in texts(card):
        assert not INTERNAL_NAMES.search(text), text
        assert not UCUM_ANNOTATION.search(text), text
    assert "Why:" not in card["detail"]
    # The summary is not said twice: the detail never repeats it (nor its reason) as a line.
    reason = card["summary"].split(": ", 1)[-1].rstrip("…")
    assert reason not in card["detail"].replace("\\", "")
    assert len(card["summary"]) < 140


SERVED_IDS = set(re.findall(r'<h2 id="([^"]+)"', render_page(DOCS / "clinical-logic.md")))
CITATION = re.compile(r"\[Clinical logic: ([^\]]+)\]\(([^)]+)\)")


@pytest.mark.parametrize(
    ("name", "card"), CARDS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CARDS)]
)
def test_card_cites_its_clinical_logic_section_by_title(name: str, card: dict[str, Any]) -> None:
    url = card["source"]["url"]
    base, section_anchor = url.split("#", 1)
    assert base.endswith("/reference/clinical-logic")
    assert section_anchor in SERVED_IDS, "the link opens a section of the served page"
    cited = CITATION.search(card["detail"])
    assert cited is not None
    assert cited.group(2) == url
    assert anchor(cited.group(1).replace("\\", "")) == section_anchor


def test_every_rule_section_links_to_a_heading_of_the_served_page() -> None:
    for rule in ALL_RULES:
        target = clinical_logic_url("http://127.0.0.1:8000", rule.SECTION)
        assert target.split("#", 1)[1] in SERVED_IDS, rule.RULE_ID


def test_anchor_is_the_github_heading_slug() -> None:
    assert anchor("Order checks (order-select and order-sign)") == (
        "order-checks-order-select-and-order-sign"
    )
    assert clinical_logic_url("https://cds.example.org/", "suspect-ibm") == (
        "https://cds.example.org/reference/clinical-logic#suspect-ibm"
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("60 {score}", "60 points"),
        ("MMT-8 60 {score} (left)", "MMT-8 60 points (left)"),
        ("4.2 m[IU]/L; reported 4.2 mIU/L", "4.2 mIU/L; reported 4.2 mIU/L"),
        ("0-4.5 m[IU]/L", "0-4.5 mIU/L"),
        ("12 {repetitions}", "12 repetitions"),
        ("1250 U/L (5.2x ULN)", "1250 U/L (5.2x ULN)"),
        ("methotrexate, active, 20 mg once weekly", "methotrexate, active, 20 mg once weekly"),
    ],
)
def test_units_are_written_for_people(raw: str, shown: str) -> None:
    assert for_people(raw) == shown
