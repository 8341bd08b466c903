"""The back-pressure load test's harness works (a tiny run); no figure is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import overload


@pytest.mark.slow
def test_a_tiny_overload_run_reports_both_modes(tmp_path: Path) -> None:
    output = tmp_path / "overload.json"
    argv = ["--callers", "12", "--rounds", "1", "--observations", "20", "--limit", "2"]
    assert overload.main([*argv, "--output", str(output), "--max-seconds", "30"]) == 0
    result = json.loads(output.read_text())
    off, on = result["runs"]
    assert (off["max_calls_in_progress"], on["max_calls_in_progress"]) == (0, 2)
    assert off["calls"] == on["calls"] == 12
    assert off["refused"] == 0
    assert on["admitted"] + on["refused"] == 12
    assert on["retry_after_missing"] == 0
