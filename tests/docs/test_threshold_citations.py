"""Thresholds cite the project's own docs (section titles), never section marks of notes that a
clone of the repository does not have."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from cds_service.engine import thresholds
from cds_service.engine.thresholds import Thresholds

ROOT = Path(__file__).resolve().parents[2]
LOGIC = (ROOT / "docs" / "clinical-logic.md").read_text(encoding="utf-8")


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def _table() -> str:
    start = LOGIC.index("\n## thresholds")
    return LOGIC[start : LOGIC.index("\n### ", start)]


def test_thresholds_module_cites_no_section_marks() -> None:
    source = Path(thresholds.__file__).read_text(encoding="utf-8")
    assert "§" not in source


def test_every_threshold_row_cites_a_section_of_this_page() -> None:
    headings = {_anchor(h) for h in re.findall(r"^#{2,3} (.+)$", LOGIC, flags=re.M)}
    rows = [line for line in _table().splitlines() if line.startswith("| `")]
    assert {line.split("`")[1] for line in rows} >= {f.name for f in fields(Thresholds)}
    for row in rows:
        section = row.rsplit("|", 2)[1]
        assert "§" not in section, row
        for target in re.findall(r"\]\(#([^)]+)\)", section):
            assert target in headings, (row, target)
