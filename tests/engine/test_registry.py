"""The rule registry (engine/registry.py): each finding code declared once, with everything a
card and the docs need, and each rule's findings carrying that rule's id and version."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from cds_service.engine import evaluate
from cds_service.engine.findings import FindingCode
from cds_service.engine.registry import (
    ALL_RULES,
    DISPLAY_RANK,
    FINDING_TITLES,
    ORDER_CHECKS,
    PATIENT_VIEW_RULES,
    finding_specs,
)
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import TODAY, refractory_active_dm

CLINICAL_LOGIC = Path(__file__).resolve().parents[2] / "docs" / "clinical-logic.md"
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def headings() -> set[str]:
    return set(re.findall(r"^## (\S+)$", CLINICAL_LOGIC.read_text(encoding="utf-8"), re.M))


def test_every_finding_code_has_exactly_one_rule() -> None:
    declared = Counter(spec.code for _, spec in finding_specs())
    assert {code: declared[code] for code in FindingCode} == dict.fromkeys(FindingCode, 1)


def test_every_finding_code_has_a_title_a_rank_and_a_docs_section() -> None:
    sections = headings()
    for code in FindingCode:
        assert FINDING_TITLES[code].strip(), code
        assert isinstance(DISPLAY_RANK[code], int), code
        assert code.value in sections, f"docs/clinical-logic.md has no section '## {code.value}'"
    assert len(set(DISPLAY_RANK.values())) == len(DISPLAY_RANK), "ranks are a total order"


def test_every_rule_names_its_section_and_a_version() -> None:
    sections = headings()
    rules = ALL_RULES
    assert len({r.RULE_ID for r in rules}) == len(rules)
    for rule in rules:
        assert rule.SECTION in sections, rule.RULE_ID
        assert SEMVER.match(rule.RULE_VERSION), rule.RULE_ID
        assert rule.FINDINGS, rule.RULE_ID


def test_patient_view_and_order_codes_are_separate_sets() -> None:
    patient = {s.code for r in PATIENT_VIEW_RULES for s in r.FINDINGS}
    orders = {s.code for r in ORDER_CHECKS for s in r.FINDINGS}
    assert all(c.value.startswith("order-") for c in orders)
    assert not any(c.value.startswith("order-") for c in patient)


def test_a_finding_carries_the_id_and_version_of_the_rule_declaring_its_code() -> None:
    owner = {spec.code: rule_id for rule_id, spec in finding_specs()}
    version = {r.RULE_ID: r.RULE_VERSION for r in ALL_RULES}
    found = evaluate(refractory_active_dm(), Thresholds(), TODAY)
    assert found, "the builder patient gives findings"
    for finding in found:
        assert finding.rule_id == owner[finding.code]
        assert finding.rule_version == version[finding.rule_id]
