"""Benchmark-only endpoints, mounted only with ``CDS_BENCH_ENDPOINTS=true`` (refused in prod).

``POST /bench/floor`` is the decode floor the service is measured against: it reads the body,
decodes it with orjson and answers a fixed card, so the framework, the socket and the JSON
decoding cost the same as on a real call and nothing else runs. ``GET /bench/gc`` reports the
garbage collector's pauses seen since the last ``?reset=true`` (``python -m bench.run``).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from cds_service.api.outcome import RequestProblem
from cds_service.api.responses import JsonResponse

router = APIRouter(prefix="/bench", include_in_schema=False)

FLOOR_ANSWER = orjson.dumps(
    {
        "cards": [
            {
                "uuid": "00000000-0000-5000-8000-000000000000",
                "summary": "Benchmark floor: body read and decoded, nothing evaluated",
                "indicator": "info",
                "source": {"label": "myositis-cds benchmark"},
            }
        ]
    }
)


@router.post("/floor")
async def floor(request: Request) -> Response:
    body = await request.body()
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestProblem(400, "structure", "malformed JSON") from None
    if not isinstance(data, dict):
        raise RequestProblem(400, "structure", "the body must be a JSON object")
    return Response(FLOOR_ANSWER, media_type="application/json")


@dataclass(slots=True)
class GcPauses:
    """Pauses of the cyclic garbage collector, per generation, measured by ``gc.callbacks``."""

    counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    total_seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    max_seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    started: float = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        generation = int(info.get("generation", 0))
        pause = time.perf_counter() - self.started
        self.counts[generation] += 1
        self.total_seconds[generation] += pause
        self.max_seconds[generation] = max(self.max_seconds[generation], pause)

    def report(self) -> dict[str, Any]:
        return {
            "collections": list(self.counts),
            "total_ms": [round(s * 1000, 3) for s in self.total_seconds],
            "max_ms": [round(s * 1000, 3) for s in self.max_seconds],
            "thresholds": list(gc.get_threshold()),
            "frozen_objects": gc.get_freeze_count(),
        }

    def reset(self) -> None:
        self.counts[:] = [0, 0, 0]
        self.total_seconds[:] = [0.0, 0.0, 0.0]
        self.max_seconds[:] = [0.0, 0.0, 0.0]


GC_PAUSES = GcPauses()


def install_gc_probe() -> None:
    """Record GC pauses from now on (once per process)."""
    if GC_PAUSES not in gc.callbacks:
        gc.callbacks.append(GC_PAUSES)


@router.get("/gc")
async def gc_pauses(reset: bool = False) -> Response:
    report = GC_PAUSES.report()
    if reset:
        GC_PAUSES.reset()
    return JsonResponse(report)
