"""Clinical thresholds are configurable: a TOML file changes what the service concludes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_client import app_client
from tests.scenario_files import scenario

URL = "/cds-services/myositis-refractory-patient-view"


def codes(tmp_path: Path, **overrides: object) -> list[str]:
    with app_client(tmp_path, **overrides) as client:
        body = scenario("escalate-second-line-adult-dm").request
        cards = client.post(URL, json=body).json()["cards"]
    return [c["source"]["topic"]["code"] for c in cards]


def test_a_longer_refractory_window_defers_escalation(tmp_path: Path) -> None:
    assert codes(tmp_path) == ["escalate-second-line"]  # 32 weeks on first line
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("refractory_weeks = 40\n")
    assert "escalate-second-line" not in codes(tmp_path, thresholds_file=str(thresholds))


def test_an_unknown_threshold_refuses_to_start(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("refractory_wekes = 40\n")
    with pytest.raises(ValueError, match="unknown threshold"):
        codes(tmp_path, thresholds_file=str(thresholds))
