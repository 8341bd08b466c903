"""The latency budget, measured: decode floor, patient-view and order-select in one run.

    python -m bench.run                  # full run (~3 min): bench/results/*.json, docs table
    python -m bench.run --smoke          # a handful of requests; checks the harness only
    python -m bench.run --soak 600       # plus a 10-minute soak (memory over time)
    python -m bench.run --server-env CDS_GC_TUNING=false   # measure without a lever

Starts ``python -m cds_service.cli serve`` on a free loopback port (with
``CDS_BENCH_ENDPOINTS=true``), times start-up to the first answer, then sends each scenario
one request at a time and over 8 connections, in interleaved rounds so that every ratio
compares batches measured side by side. Server CPU per request comes from the server
process's own ``utime + stime``; latencies from this (client) process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import generator, report
from bench.load import Batch, client_for, concurrent, percentile, sequential
from bench.server import PROJECT_ROOT, ServerProcess

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
DOCS_FILE = PROJECT_ROOT / "docs" / "performance.md"
SERVICE = "/cds-services/myositis-refractory-patient-view"
ORDER_SELECT = "/cds-services/myositis-order-select"
FLOOR = "/bench/floor"
CONNECTIONS = 8
SOAK_SAMPLE_SECONDS = 5.0


@dataclass(slots=True)
class Scenario:
    name: str
    path: str
    body: bytes
    observations: int
    relevant: int
    cold: bool = False  # relevant resources renamed per request: no cached validation
    sequential: list[Batch] = field(default_factory=list)
    concurrent: list[Batch] = field(default_factory=list)
    cpu_sequential: list[float] = field(default_factory=list)  # seconds, one per round
    cpu_concurrent: list[float] = field(default_factory=list)
    gc: list[dict[str, Any]] = field(default_factory=list)
    sent: int = 0  # cold calls made so far (their ids are numbered by it)

    def body_for(self, _index: int) -> bytes:
        if not self.cold:
            return self.body
        # New ids for the relevant Observations on every call of the run: same size, same
        # work, content the service has not seen (so no cached validation outcome applies).
        self.sent += 1
        return self.body.replace(b'"myo-', b'"m%07d-' % self.sent)


@dataclass(frozen=True, slots=True)
class Plan:
    rounds: int
    sequential_count: int
    concurrent_count: int
    max_seconds: float
    sizes: tuple[int, ...]
    extra_starts: int = 4

    @classmethod
    def smoke(cls) -> Plan:
        return cls(
            rounds=1,
            sequential_count=3,
            concurrent_count=8,
            max_seconds=5,
            sizes=(50,),
            extra_starts=0,
        )

    @classmethod
    def full(cls) -> Plan:
        return cls(
            rounds=5,
            sequential_count=150,
            concurrent_count=200,
            max_seconds=1.5,
            sizes=(50, 500, 5000),
        )


def _observations(request: dict[str, Any]) -> tuple[int, int]:
    entries = request["prefetch"]["observations"]["entry"]
    relevant = sum(1 for e in entries if e["resource"]["id"].startswith("myo-"))
    return len(entries), relevant


def scenarios(plan: Plan) -> list[Scenario]:
    made: list[Scenario] = []

    def add(name: str, path: str, request: dict[str, Any], cold: bool = False) -> None:
        total, relevant = _observations(request)
        body = generator.encoded(request)
        made.append(Scenario(name, path, body, total, relevant, cold))

    for size in plan.sizes:
        request = generator.patient_view_request(size)
        add(f"floor_{size}", FLOOR, request)
        add(f"patient_view_{size}", SERVICE, request)
    base = 500 if 500 in plan.sizes else plan.sizes[0]
    base_request = generator.patient_view_request(base)
    add(f"patient_view_{base}_cold", SERVICE, base_request, cold=True)
    add(f"order_select_{base}", ORDER_SELECT, generator.order_select_request(base))
    if 5000 in plan.sizes:
        padded = generator.patient_view_request(500, extra_irrelevant=4500)
        add("floor_500_plus_4500_irrelevant", FLOOR, padded)
        add("patient_view_500_plus_4500_irrelevant", SERVICE, padded)
    return made


async def _gc_report(client: httpx.AsyncClient, reset: bool) -> dict[str, Any]:
    response = await client.get("/bench/gc", params={"reset": "true" if reset else "false"})
    response.raise_for_status()
    report_: dict[str, Any] = response.json()
    return report_


async def measure(server: ServerProcess, plan: Plan, made: list[Scenario]) -> dict[str, Any]:
    one = client_for(server.base_url, 1)
    many = client_for(server.base_url, CONNECTIONS)
    async with one, many:
        first_body = generator.encoded(generator.patient_view_request(50))
        started = time.perf_counter()
        await sequential(one, SERVICE, lambda _i: first_body, 1, 60)
        first_call = time.perf_counter() - started
        memory_after_start = server.memory_kb()
        for scenario in made:  # warm-up: imports, caches, connection pools
            await sequential(one, scenario.path, scenario.body_for, 3, 30)
            await concurrent(many, scenario.path, scenario.body_for, CONNECTIONS, CONNECTIONS, 30)
        memory_after_warm_up = server.memory_kb()
        await _gc_report(one, reset=True)
        for _round in range(plan.rounds):
            for scenario in made:
                cpu = server.cpu_seconds()
                batch = await sequential(
                    one, scenario.path, scenario.body_for, plan.sequential_count, plan.max_seconds
                )
                scenario.cpu_sequential.append(server.cpu_seconds() - cpu)
                scenario.sequential.append(batch)
                scenario.gc.append(await _gc_report(one, reset=True))
                cpu = server.cpu_seconds()
                batch = await concurrent(
                    many,
                    scenario.path,
                    scenario.body_for,
                    plan.concurrent_count,
                    CONNECTIONS,
                    plan.max_seconds,
                )
                scenario.cpu_concurrent.append(server.cpu_seconds() - cpu)
                scenario.concurrent.append(batch)
                await _gc_report(one, reset=True)
    return {
        "first_call_ms": round(first_call * 1000, 2),
        "memory_after_start": memory_after_start,
        "memory_after_warm_up": memory_after_warm_up,
    }


def _latency_summary(batches: list[Batch], cpu_seconds: list[float]) -> dict[str, Any]:
    latencies = [x for b in batches for x in b.latencies]
    wall = sum(b.wall_seconds for b in batches)
    count = len(latencies)
    per_round = [cpu / len(b.latencies) * 1000 for b, cpu in zip(batches, cpu_seconds, strict=True)]
    return {
        "requests": count,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "max_ms": round(max(latencies) * 1000, 3),
        "throughput_rps": round(count / wall, 1) if wall else 0.0,
        "server_cpu_ms_per_request": round(sum(cpu_seconds) / count * 1000, 3),
        "server_cpu_ms_per_request_by_round": [round(x, 3) for x in per_round],
    }


def _gc_summary(reports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "collections": [sum(r["collections"][g] for r in reports) for g in range(3)],
        "max_pause_ms": max((max(r["max_ms"]) for r in reports), default=0.0),
        "total_pause_ms": round(sum(sum(r["total_ms"]) for r in reports), 3),
    }


def summarise(made: list[Scenario]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for s in made:
        summary[s.name] = {
            "path": s.path,
            "observations": s.observations,
            "relevant_observations": s.relevant,
            "body_bytes": len(s.body),
            "cold_validation": s.cold,
            "one_at_a_time": _latency_summary(s.sequential, s.cpu_sequential),
            f"concurrent_{CONNECTIONS}": _latency_summary(s.concurrent, s.cpu_concurrent),
            "gc_one_at_a_time": _gc_summary(s.gc),
        }
    return summary


def _cpu_rounds(summary: dict[str, Any], name: str) -> list[float] | None:
    found = summary.get(name)
    if found is None:
        return None
    return [float(x) for x in found["one_at_a_time"]["server_cpu_ms_per_request_by_round"]]


def _ratio(a: list[float] | None, b: list[float] | None) -> float | None:
    """Median over rounds of a / b: each round's batches ran side by side."""
    if not a or not b or 0 in b:
        return None
    return round(statistics.median(x / y for x, y in zip(a, b, strict=True)), 2)


def _slope_us(big: list[float], small: list[float], added: int) -> float:
    """Median over rounds of the extra CPU per added Observation, in µs."""
    return round(
        statistics.median((x - y) / added * 1000 for x, y in zip(big, small, strict=True)), 2
    )


def ratios(summary: dict[str, Any]) -> dict[str, Any]:
    base = "500" if "floor_500" in summary else "50"
    floor = _cpu_rounds(summary, f"floor_{base}")
    found: dict[str, Any] = {
        "base_observations": int(base),
        "patient_view_cpu_over_floor": _ratio(_cpu_rounds(summary, f"patient_view_{base}"), floor),
        "patient_view_cold_cpu_over_floor": _ratio(
            _cpu_rounds(summary, f"patient_view_{base}_cold"), floor
        ),
        "order_select_cpu_over_floor": _ratio(_cpu_rounds(summary, f"order_select_{base}"), floor),
    }
    padded_service = _cpu_rounds(summary, "patient_view_500_plus_4500_irrelevant")
    padded_floor = _cpu_rounds(summary, "floor_500_plus_4500_irrelevant")
    service, floor_500 = _cpu_rounds(summary, "patient_view_500"), _cpu_rounds(summary, "floor_500")
    if padded_service and padded_floor and service and floor_500:
        service_slope = _slope_us(padded_service, service, 4500)
        floor_slope = _slope_us(padded_floor, floor_500, 4500)
        above = [x - y for x, y in zip(padded_service, padded_floor, strict=True)]
        below = [x - y for x, y in zip(service, floor_500, strict=True)]
        found["slope_us_per_irrelevant_observation"] = {
            "service": service_slope,
            "floor": floor_slope,
            "service_above_floor": _slope_us(above, below, 4500),
        }
    return found


def budget(results: dict[str, Any]) -> list[dict[str, Any]]:
    summary, found = results["scenarios"], results["ratios"]
    lines: list[dict[str, Any]] = []

    def line(name: str, value: float | None, limit: float, unit: str) -> None:
        met = None if value is None else value <= limit
        lines.append({"line": name, "value": value, "limit": limit, "unit": unit, "met": met})

    base = found["base_observations"]
    line("patient-view CPU / decode floor (warm)", found["patient_view_cpu_over_floor"], 3, "x")
    line(
        "patient-view CPU / decode floor (cold)", found["patient_view_cold_cpu_over_floor"], 3, "x"
    )
    for name in (f"patient_view_{base}", f"patient_view_{base}_cold"):
        one = summary.get(name, {}).get("one_at_a_time", {})
        line(f"p99 one at a time, {name}", one.get("p99_ms"), 25, "ms")
    pauses = [
        summary[name]["gc_one_at_a_time"]["max_pause_ms"]
        for name in (f"patient_view_{base}", f"patient_view_{base}_cold")
        if name in summary
    ]
    line(
        f"longest GC pause, patient-view at {base} (one at a time)",
        max(pauses) if pauses else None,
        5,
        "ms",
    )
    slope = found.get("slope_us_per_irrelevant_observation", {})
    line("marginal CPU per irrelevant Observation (service)", slope.get("service"), 10, "µs")
    line(
        "marginal CPU per irrelevant Observation above the decode floor",
        slope.get("service_above_floor"),
        10,
        "µs",
    )
    line("start-up to first answer", results["startup"]["first_answer_s"], 1, "s")
    soaked = results.get("soak")
    if soaked:
        growth = (soaked["rss_end_kb"] - soaked["rss_start_kb"]) / soaked["rss_start_kb"] * 100
        line("VmRSS growth over the soak", round(growth, 1), 10, "%")
    return lines


async def soak(server: ServerProcess, seconds: float) -> dict[str, Any]:
    """Cold patient-view calls (500 Observations) over 8 connections for ``seconds``."""
    request = generator.patient_view_request(500)
    scenario = Scenario("soak", SERVICE, generator.encoded(request), 500, 0, cold=True)
    samples: list[dict[str, float]] = []
    requests = 0
    started = time.perf_counter()
    async with client_for(server.base_url, CONNECTIONS) as client:
        while (elapsed := time.perf_counter() - started) < seconds:
            rss = server.memory_kb()["VmRSS"]
            samples.append({"t_s": round(elapsed, 1), "rss_kb": rss, "requests": requests})
            batch = await concurrent(
                client,
                SERVICE,
                scenario.body_for,
                10_000_000,
                CONNECTIONS,
                SOAK_SAMPLE_SECONDS,
            )
            requests += len(batch.latencies)
    end = server.memory_kb()
    samples.append(
        {
            "t_s": round(time.perf_counter() - started, 1),
            "rss_kb": end["VmRSS"],
            "requests": requests,
        }
    )
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "requests": requests,
        "rss_start_kb": samples[0]["rss_kb"],
        "rss_end_kb": end["VmRSS"],
        "rss_max_kb": max(s["rss_kb"] for s in samples),
        "hwm_kb": end["VmHWM"],
        "samples": samples[:: max(1, len(samples) // 40)],
    }


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        try:
            done = subprocess.run(  # noqa: S603 - fixed git arguments
                ["git", *args],  # noqa: S607
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip()

    return {"commit": run("rev-parse", "HEAD"), "dirty": bool(run("status", "--porcelain"))}


def run_benchmark(
    plan: Plan,
    env_overrides: dict[str, str],
    soak_seconds: float,
    smoke: bool,
    only: tuple[str, ...] = (),
    server_root: Path | None = None,
) -> dict[str, Any]:
    made = [s for s in scenarios(plan) if not only or any(word in s.name for word in only)]
    starts: list[float] = []
    for _ in range(plan.extra_starts):  # start-up varies run to run: several, median reported
        extra = ServerProcess(env_overrides, root=server_root)
        try:
            starts.append(extra.start())
        finally:
            extra.stop()
    server = ServerProcess(env_overrides, root=server_root)
    try:
        first_answer = server.start()
        starts.append(first_answer)
        measured = asyncio.run(measure(server, plan, made))
        memory_end = server.memory_kb()
        soaked = asyncio.run(soak(server, soak_seconds)) if soak_seconds > 0 else None
    finally:
        server.stop()
    results: dict[str, Any] = {
        "schema": 1,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "smoke": smoke,
        "command": "python -m bench.run " + " ".join(sys.argv[1:]),
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "git": _git(),
        "server": {
            "env_overrides": env_overrides,
            "root": str(server_root or PROJECT_ROOT),
            "workers": 1,
            "connections": CONNECTIONS,
        },
        "plan": {
            "rounds": plan.rounds,
            "sequential_per_round": plan.sequential_count,
            "concurrent_per_round": plan.concurrent_count,
            "max_seconds_per_batch": plan.max_seconds,
        },
        "startup": {
            "first_answer_s": round(statistics.median(starts), 3),
            "first_answer_s_each": [round(x, 3) for x in starts],
            "first_call_ms": measured["first_call_ms"],
        },
        "scenarios": summarise(made),
        "memory": {
            "rss_after_start_kb": measured["memory_after_start"]["VmRSS"],
            "rss_after_warm_up_kb": measured["memory_after_warm_up"]["VmRSS"],
            "rss_end_kb": memory_end["VmRSS"],
            "hwm_kb": memory_end["VmHWM"],
        },
        "soak": soaked,
    }
    results["ratios"] = ratios(results["scenarios"])
    results["budget"] = budget(results)
    return results


def _env_pairs(values: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name or not name.replace("_", "").isalnum():
            raise SystemExit(f"--server-env takes NAME=value, not {value!r}")
        pairs[name] = setting
    return pairs


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a handful of requests")
    parser.add_argument("--soak", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=None,
        help="where the JSON goes (bench/results; a temporary folder for --smoke)",
    )
    parser.add_argument("--docs", type=Path, default=DOCS_FILE, help="page whose table to update")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=value", help="server env"
    )
    parser.add_argument("--label", default="", help="a word for the results file name")
    parser.add_argument("--rounds", type=int, default=0, help="interleaved rounds (default 5)")
    parser.add_argument("--only", default="", help="comma-separated parts of scenario names")
    parser.add_argument(
        "--server-root", type=Path, default=None, help="serve another checkout (a baseline)"
    )
    args = parser.parse_args(argv)
    plan = Plan.smoke() if args.smoke else Plan.full()
    if args.rounds > 0:
        plan = replace(plan, rounds=args.rounds)
    only = tuple(word for word in args.only.split(",") if word)
    results = run_benchmark(
        plan, _env_pairs(args.server_env), args.soak, args.smoke, only, args.server_root
    )
    results_dir = args.results_dir or (
        Path(tempfile.mkdtemp(prefix="cds-bench-smoke-")) if args.smoke else RESULTS_DIR
    )
    written = report.write_results(results, results_dir, args.label)
    out(report.table(results))
    out(f"results: {written}")
    if not args.no_docs and not args.smoke:
        report.update_docs(results, args.docs)
        out(f"table written to {args.docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
