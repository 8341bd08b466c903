"""The documents reviewers rely on stay true: every cited test exists, every finding code
has its section (the anchor each card's source.url points at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cds_service.engine.findings import FindingCode

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"


def defined_tests() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.update(re.findall(r"^\s*(?:async )?def (test_\w+)", path.read_text(), re.M))
    return names


@pytest.mark.parametrize("document", ["hazard-log.md", "conformance.md"])
def test_every_test_a_document_cites_exists(document: str) -> None:
    text = (DOCS / document).read_text(encoding="utf-8")
    cited = set(re.findall(r"\b(test_\w+)(?![\w.\[])", text))
    assert len(cited) > 5, "the document cites tests"
    assert sorted(cited - defined_tests()) == []


def test_every_finding_code_has_a_section_in_clinical_logic() -> None:
    headings = set(re.findall(r"^## (\S+)$", (DOCS / "clinical-logic.md").read_text(), re.M))
    assert {c.value for c in FindingCode} <= headings
