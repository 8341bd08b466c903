"""Memory on the fetch path: the served service (its own process, collector tuned as in
production) reading a real FHIR server on loopback for hundreds of no-prefetch calls, some
answered with HTTP 500, stays within a bound.

Before the fix each call's httpx client loaded its own CA bundle (~0.8 MB of OpenSSL memory)
and kept it until a rare garbage collection: +155 MB after 200 calls, +310 MB after 100 more
with FHIR errors. Now the calls share one connection pool (cds_service/fhir/pool.py) and the
clients still made share one TLS context (cds_service/fhir/tls.py).
"""

from __future__ import annotations

import copy

import httpx
import pytest

from bench.server import ServerProcess
from tests.local_fhir import local_fhir_server
from tests.scenario_files import scenario

PATH = "/cds-services/myositis-refractory-patient-view"
WARM_UP_CALLS = 20
CALLS = 200
FAILING_CALLS = 100
GROWTH_BOUND_KB = 80 * 1024  # measured after the fix: ~25 MB; before: ~225 MB


@pytest.mark.slow
def test_rss_stays_bounded_over_no_prefetch_calls() -> None:
    with (
        local_fhir_server() as fhir,
        ServerProcess(env_overrides={"CDS_EMBEDDED_FHIR": "false"}) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        body = copy.deepcopy(scenario("statin-and-hmgcr").request)
        del body["prefetch"]
        body["fhirServer"] = fhir.base_url
        for _ in range(WARM_UP_CALLS):
            assert client.post(PATH, json=body).status_code == 200
        start = server.memory_kb()["VmRSS"]
        for _ in range(CALLS):
            assert client.post(PATH, json=body).status_code == 200
        fhir.behaviour.fail_with_500 = True
        for _ in range(FAILING_CALLS):
            assert client.post(PATH, json=body).status_code == 412
        growth = server.memory_kb()["VmRSS"] - start
    assert fhir.behaviour.requests >= (CALLS + FAILING_CALLS) * 3  # the service did read it
    assert growth < GROWTH_BOUND_KB, f"RSS grew by {growth // 1024} MB"
