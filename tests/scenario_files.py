"""Reading the fixture scenarios (fixtures/scenarios/<name>/) in tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


@dataclass(frozen=True)
class ScenarioFiles:
    name: str
    bundle: dict[str, Any]
    request: dict[str, Any]
    expected: dict[str, Any]


def load_scenarios() -> list[ScenarioFiles]:
    found = []
    for folder in sorted(p for p in SCENARIOS_DIR.iterdir() if p.is_dir()):
        found.append(
            ScenarioFiles(
                name=folder.name,
                bundle=json.loads((folder / "bundle.json").read_text()),
                request=json.loads((folder / "request.json").read_text()),
                expected=json.loads((folder / "expected.json").read_text()),
            )
        )
    return found


def scenario(name: str) -> ScenarioFiles:
    for found in load_scenarios():
        if found.name == name:
            return found
    raise KeyError(name)
