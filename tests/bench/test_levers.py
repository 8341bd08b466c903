"""The performance levers keep behaviour: bench routes only when asked, a bounded validation
cache that answers what validation answers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pydantic
import pytest

from bench import generator
from cds_service.fhir.extract.validate import ValidationCache, _validate
from cds_service.settings import Settings
from tests.app_client import app_client


def test_bench_routes_are_absent_unless_asked(tmp_path: Path) -> None:
    client = app_client(tmp_path)
    assert client.post("/bench/floor", json={"a": 1}).status_code == 404
    assert client.get("/bench/gc").status_code == 404


def test_the_floor_decodes_and_answers_a_fixed_card(tmp_path: Path) -> None:
    client = app_client(tmp_path, bench_endpoints=True)
    response = client.post(
        "/bench/floor", content=generator.encoded(generator.patient_view_request(5))
    )
    assert response.status_code == 200
    assert response.json()["cards"][0]["indicator"] == "info"
    assert client.post("/bench/floor", content=b"{not json").status_code == 400
    report = client.get("/bench/gc", params={"reset": "true"}).json()
    assert {"collections", "total_ms", "max_ms", "thresholds", "frozen_objects"} <= set(report)


def test_prod_refuses_the_bench_routes(tmp_path: Path) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text('{"clients": []}')
    with pytest.raises(pydantic.ValidationError, match="BENCH"):
        Settings(env="prod", trusted_clients=clients, bench_endpoints=True)


def _observations() -> list[dict[str, Any]]:
    request = generator.patient_view_request(60, seed=5)
    return [e["resource"] for e in request["prefetch"]["observations"]["entry"]]


def test_cached_outcomes_are_the_validation_outcomes() -> None:
    resources = _observations()
    broken = copy.deepcopy(resources[0])
    broken["status"] = 12
    broken.pop("code")
    resources.append(broken)
    cache = ValidationCache(1000)
    first = [cache.problem(r) for r in resources]
    again = [cache.problem(r) for r in resources]
    assert first == again == [_validate(r, None) for r in resources]
    assert first[-1] is not None and first[0] is None


def test_the_cache_is_bounded_and_can_be_off() -> None:
    resources = _observations()
    cache = ValidationCache(10)
    for resource in resources:
        cache.problem(resource)
    assert len(cache) == 10
    off = ValidationCache(0)
    assert [off.problem(r) for r in resources[:5]] == [_validate(r, None) for r in resources[:5]]
    assert len(off) == 0
