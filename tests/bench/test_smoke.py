"""The benchmark harness works: generator shapes, and a ``--smoke`` run's JSON result.

No timing is asserted here: figures on a shared CI machine mean nothing. ``make bench`` measures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from bench import generator
from bench.server import PROJECT_ROOT
from cds_service.cdshooks.models import CdsRequest, validate_context
from cds_service.cdshooks.registry import SERVICES_BY_ID


def _observations(request: dict[str, object]) -> list[dict[str, object]]:
    prefetch = request["prefetch"]
    assert isinstance(prefetch, dict)
    return [entry["resource"] for entry in prefetch["observations"]["entry"]]


@pytest.mark.parametrize("size", [50, 500])
def test_patient_view_requests_have_the_asked_shape(size: int) -> None:
    request = generator.patient_view_request(size, seed=3)
    observations = _observations(request)
    relevant = [o for o in observations if str(o["id"]).startswith("myo-")]
    assert len(observations) == size
    assert 0.04 * size <= len(relevant) <= 0.2 * size
    assert {o["resourceType"] for o in observations} == {"Observation"}
    prefetch = request["prefetch"]
    assert isinstance(prefetch, dict)
    assert prefetch["conditions"]["entry"] and prefetch["medicationRequests"]["entry"]
    parsed = CdsRequest.model_validate(request)
    validate_context(parsed)
    assert set(SERVICES_BY_ID["myositis-refractory-patient-view"].prefetch_map()) == set(prefetch)


def test_requests_are_deterministic_by_seed() -> None:
    one = generator.encoded(generator.patient_view_request(200, seed=11))
    assert one == generator.encoded(generator.patient_view_request(200, seed=11))
    assert one != generator.encoded(generator.patient_view_request(200, seed=12))


def test_padding_adds_only_irrelevant_observations_after_the_same_ones() -> None:
    base = _observations(generator.patient_view_request(100))
    padded = _observations(generator.patient_view_request(100, extra_irrelevant=300))
    assert padded[:100] == base
    assert len(padded) == 400
    assert not any(str(o["id"]).startswith("myo-") for o in padded[100:])


def test_order_select_request_has_draft_orders_and_a_selection() -> None:
    request = generator.order_select_request(50)
    parsed = CdsRequest.model_validate(orjson.loads(generator.encoded(request)))
    context = validate_context(parsed)
    assert parsed.hook == "order-select"
    assert getattr(context, "selections", None) == ["MedicationRequest/draft-rtx"]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_smoke_run_writes_the_expected_result(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.run", "--smoke", "--results-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "latest-smoke.json").read_text())
    assert {"startup", "scenarios", "memory", "ratios", "budget", "host", "git"} <= set(result)
    assert result["smoke"] is True
    assert {"floor_50", "patient_view_50", "patient_view_50_cold", "order_select_50"} <= set(
        result["scenarios"]
    )
    for scenario in result["scenarios"].values():
        for mode in ("one_at_a_time", "concurrent_8"):
            assert {"p50_ms", "p99_ms", "throughput_rps", "server_cpu_ms_per_request"} <= set(
                scenario[mode]
            )
        assert {"collections", "max_pause_ms"} <= set(scenario["gc_one_at_a_time"])
    assert {"first_answer_s", "first_call_ms"} <= set(result["startup"])
    assert {"rss_after_start_kb", "rss_end_kb", "hwm_kb"} <= set(result["memory"])
    assert all({"line", "value", "limit", "met"} <= set(line) for line in result["budget"])
