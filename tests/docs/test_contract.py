"""docs/contract.md names every service, finding code and setting the code has."""

from __future__ import annotations

import re
from pathlib import Path

from cds_service.cdshooks.registry import SERVICES
from cds_service.engine.findings import FindingCode
from cds_service.settings import Settings

CONTRACT = Path(__file__).resolve().parent.parent.parent / "docs" / "contract.md"


def section(title: str) -> str:
    text = CONTRACT.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"docs/contract.md has no section '{title}'"
    return match.group(1)


def test_every_service_id_is_in_the_contract() -> None:
    text = section("Services")
    assert [s.id for s in SERVICES if f"`{s.id}`" not in text] == []


def test_every_finding_code_is_in_the_contract() -> None:
    text = section("Finding codes")
    assert [c.value for c in FindingCode if f"| `{c.value}` |" not in text] == []


def test_every_setting_is_in_the_contract() -> None:
    text = section("Settings")
    missing = [name for name in Settings.model_fields if f"`CDS_{name.upper()}`" not in text]
    assert missing == [], "add a row to docs/contract.md, Settings"
