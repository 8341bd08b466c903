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

from bench import generator, long_history, no_prefetch, report
from bench.load import Batch, client_for, concurrent, percentile, sequential
from bench.server import PROJECT_ROOT, ServerProcess, migrated_database

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
    server: str = "main"  # "main" (the service, GC-tuned) or "default_gc" (a second process)
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
    history_years: tuple[int, ...] = (5, 10)
    default_gc_floor: bool = True
    no_prefetch_calls: int = 60
    no_prefetch_observations: int = 500

    @classmethod
    def smoke(cls) -> Plan:
        return cls(
            rounds=1,
            sequential_count=3,
            concurrent_count=8,
            max_seconds=5,
            sizes=(50,),
            extra_starts=0,
            history_years=(1,),
            default_gc_floor=False,
            no_prefetch_calls=3,
            no_prefetch_observations=50,
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

    def add(
        name: str, path: str, request: dict[str, Any], cold: bool = False, server: str = "main"
    ) -> None:
        total, relevant = _observations(request)
        body = generator.encoded(request)
        made.append(Scenario(name, path, body, total, relevant, cold, server))

    for size in plan.sizes:
        request = generator.patient_view_request(size)
        add(f"floor_{size}", FLOOR, request)
        add(f"patient_view_{size}", SERVICE, request)
    base = 500 if 500 in plan.sizes else plan.sizes[0]
    base_request = generator.patient_view_request(base)
    if plan.default_gc_floor:
        add(f"floor_{base}_default_gc", FLOOR, base_request, server="default_gc")
    add(f"patient_view_{base}_cold", SERVICE, base_request, cold=True)
    add(f"order_select_{base}", ORDER_SELECT, generator.order_select_request(base))
    if 5000 in plan.sizes:
        padded = generator.patient_view_request(500, extra_irrelevant=4500)
        add("floor_500_plus_4500_irrelevant", FLOOR, padded)
        add("patient_view_500_plus_4500_irrelevant", SERVICE, padded)
    for years in plan.history_years:
        history = long_history.patient_view_request(years)
        add(f"floor_history_{years}y", FLOOR, history)
        add(f"patient_view_history_{years}y", SERVICE, history)
        add(f"patient_view_history_{years}y_cold", SERVICE, history, cold=True)
    return made


async def _gc_report(client: httpx.AsyncClient, reset: bool) -> dict[str, Any]:
    response = await client.get("/bench/gc", params={"reset": "true" if reset else "false"})
    response.raise_for_status()
    report_: dict[str, Any] = response.json()
    return report_


async def measure(
    server: ServerProcess,
    plan: Plan,
    made: list[Scenario],
    default_gc: ServerProcess | None = None,
) -> dict[str, Any]:
    one = client_for(server.base_url, 1)
    many = client_for(server.base_url, CONNECTIONS)
    other = default_gc or server
    other_one = client_for(other.base_url, 1)
    other_many = client_for(other.base_url, CONNECTIONS)

    def route(scenario: Scenario) -> tuple[ServerProcess, httpx.AsyncClient, httpx.AsyncClient]:
        if scenario.server == "default_gc":
            return other, other_one, other_many
        return server, one, many

    async with one, many, other_one, other_many:
        first_body = generator.encoded(generator.patient_view_request(50))
        started = time.perf_counter()
        await sequential(one, SERVICE, lambda _i: first_body, 1, 60)
        first_call = time.perf_counter() - started
        memory_after_start = server.memory_kb()
        for scenario in made:  # warm-up: imports, caches, connection pools
            _target, one_, many_ = route(scenario)
            await sequential(one_, scenario.path, scenario.body_for, 3, 30)
            await concurrent(many_, scenario.path, scenario.body_for, CONNECTIONS, CONNECTIONS, 30)
        memory_after_warm_up = server.memory_kb()
        gc_settings = await _gc_report(one, reset=True)
        if default_gc is not None:
            gc_settings_default = await _gc_report(other_one, reset=True)
        for _round in range(plan.rounds):
            for scenario in made:
                target, one_, many_ = route(scenario)
                cpu = target.cpu_seconds()
                batch = await sequential(
                    one_, scenario.path, scenario.body_for, plan.sequential_count, plan.max_seconds
                )
                scenario.cpu_sequential.append(target.cpu_seconds() - cpu)
                scenario.sequential.append(batch)
                scenario.gc.append(await _gc_report(one_, reset=True))
                cpu = target.cpu_seconds()
                batch = await concurrent(
                    many_,
                    scenario.path,
                    scenario.body_for,
                    plan.concurrent_count,
                    CONNECTIONS,
                    plan.max_seconds,
                )
                scenario.cpu_concurrent.append(target.cpu_seconds() - cpu)
                scenario.concurrent.append(batch)
                await _gc_report(one_, reset=True)
    settings = {"service": _gc_settings(gc_settings)}
    if default_gc is not None:
        settings["default_gc_floor"] = _gc_settings(gc_settings_default)
    return {
        "first_call_ms": round(first_call * 1000, 2),
        "memory_after_start": memory_after_start,
        "memory_after_warm_up": memory_after_warm_up,
        "gc_settings": settings,
    }


def _gc_settings(report_: dict[str, Any]) -> dict[str, Any]:
    """What the collector of a server process runs with (thresholds, frozen objects)."""
    return {"thresholds": report_["thresholds"], "frozen_objects": report_["frozen_objects"]}


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
            "server": s.server,
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
    default_floor = _cpu_rounds(summary, f"floor_{base}_default_gc")
    warm = _cpu_rounds(summary, f"patient_view_{base}")
    cold = _cpu_rounds(summary, f"patient_view_{base}_cold")
    found: dict[str, Any] = {
        "base_observations": int(base),
        "patient_view_cpu_over_floor": _ratio(warm, floor),
        "patient_view_cold_cpu_over_floor": _ratio(cold, floor),
        "order_select_cpu_over_floor": _ratio(_cpu_rounds(summary, f"order_select_{base}"), floor),
        "patient_view_cpu_over_default_gc_floor": _ratio(warm, default_floor),
        "patient_view_cold_cpu_over_default_gc_floor": _ratio(cold, default_floor),
        "default_gc_floor_over_floor": _ratio(default_floor, floor),
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
            "service_over_floor": round(service_slope / floor_slope, 2) if floor_slope else None,
        }
    histories: dict[str, Any] = {}
    for name in summary:
        if name.startswith("floor_history_"):
            label = name.removeprefix("floor_")
            history_floor = _cpu_rounds(summary, name)
            histories[label] = {
                "warm_cpu_over_floor": _ratio(
                    _cpu_rounds(summary, f"patient_view_{label}"), history_floor
                ),
                "cold_cpu_over_floor": _ratio(
                    _cpu_rounds(summary, f"patient_view_{label}_cold"), history_floor
                ),
            }
    found["histories"] = histories
    return found


def _longest_history(summary: dict[str, Any]) -> str | None:
    """The name of the cold scenario of the longest history measured."""
    names = [n for n in summary if n.startswith("patient_view_history_") and n.endswith("_cold")]
    return max(names, key=lambda n: int(n.split("_")[3].rstrip("y")), default=None)


def budget(results: dict[str, Any]) -> list[dict[str, Any]]:
    summary, found = results["scenarios"], results["ratios"]
    lines: list[dict[str, Any]] = []

    def line(name: str, value: float | None, limit: float, unit: str) -> None:
        met = None if value is None else value <= limit
        lines.append({"line": name, "value": value, "limit": limit, "unit": unit, "met": met})

    base = found["base_observations"]
    line(
        f"cold patient-view, {base} Observations: server CPU / GC-tuned floor",
        found["patient_view_cold_cpu_over_floor"],
        3,
        "x",
    )
    history = _longest_history(summary)
    if history is not None:
        scenario = summary[history]
        line(
            f"{history} ({scenario['relevant_observations']} relevant results): "
            "server CPU per call",
            scenario["one_at_a_time"]["server_cpu_ms_per_request"],
            20,
            "ms",
        )
    slope = found.get("slope_us_per_irrelevant_observation", {})
    line(
        "marginal CPU per irrelevant Observation / the floor's own slope",
        slope.get("service_over_floor"),
        1.5,
        "x",
    )
    fetched = results.get("no_prefetch")
    if fetched:
        line(
            f"no prefetch, FHIR server at {fetched['delay_ms']:g} ms per request: "
            "p50 minus the slowest query chain's p50",
            fetched["p50_over_slowest_chain_ms"],
            15,
            "ms",
        )
    line(
        "start-up (restart) to first answer (wall)", results["startup"]["first_answer_s"], 0.6, "s"
    )
    line(
        "start-up (restart) to first answer, the server's own CPU",
        results["startup"].get("cpu_to_first_answer_s"),
        0.6,
        "s",
    )
    pauses = [
        s["gc_one_at_a_time"]["max_pause_ms"] for s in summary.values() if s["server"] == "main"
    ]
    line("longest GC pause, every scenario of the service", max(pauses, default=None), 5, "ms")
    soaked = results.get("soak")
    if soaked:
        growth = (soaked["rss_end_kb"] - soaked["rss_start_kb"]) / soaked["rss_start_kb"] * 100
        line(f"VmRSS growth over a {soaked['seconds']:.0f} s soak", round(growth, 1), 5, "%")
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
    database_dir = tempfile.TemporaryDirectory(prefix="cds-bench-db-")
    fresh = ServerProcess(env_overrides, root=server_root)  # a new database: it migrates
    try:
        fresh_start = fresh.start()
        fresh_cpu = fresh.startup_cpu_seconds
    finally:
        fresh.stop()
    database = migrated_database(Path(database_dir.name), server_root)
    starts: list[float] = []
    start_cpu: list[float] = []
    for _ in range(plan.extra_starts):  # start-up varies run to run: several, median reported
        extra = ServerProcess(env_overrides, root=server_root, database_url=database)
        try:
            starts.append(extra.start())
            start_cpu.append(extra.startup_cpu_seconds)
        finally:
            extra.stop()
    server = ServerProcess(env_overrides, root=server_root, database_url=database)
    default_gc = None
    if any(s.server == "default_gc" for s in made):
        default_gc = ServerProcess({**env_overrides, "CDS_GC_TUNING": "false"}, root=server_root)
    fetched = None
    try:
        if default_gc is not None:
            default_gc.start()
        first_answer = server.start()
        starts.append(first_answer)
        start_cpu.append(server.startup_cpu_seconds)
        measured = asyncio.run(measure(server, plan, made, default_gc))
        if default_gc is not None:
            default_gc.stop()
        if plan.no_prefetch_calls and (not only or any("no_prefetch" in w for w in only)):
            fetched = no_prefetch.measure(
                server, plan.no_prefetch_calls, plan.no_prefetch_observations
            )
        memory_end = server.memory_kb()
        soaked = asyncio.run(soak(server, soak_seconds)) if soak_seconds > 0 else None
    finally:
        server.stop()
        if default_gc is not None:
            default_gc.stop()
        database_dir.cleanup()
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
            # relative to this checkout, so that a recorded run names no path of the machine
            "root": os.path.relpath(server_root or PROJECT_ROOT, PROJECT_ROOT),
            "workers": 1,
            "connections": CONNECTIONS,
        },
        "plan": {
            "rounds": plan.rounds,
            "sequential_per_round": plan.sequential_count,
            "concurrent_per_round": plan.concurrent_count,
            "max_seconds_per_batch": plan.max_seconds,
        },
        "gc_settings": measured["gc_settings"],
        "no_prefetch": fetched,
        "startup": {
            "first_answer_s": round(statistics.median(starts), 3),
            "first_answer_s_each": [round(x, 3) for x in starts],
            "cpu_to_first_answer_s": round(statistics.median(start_cpu), 3),
            "cpu_to_first_answer_s_each": [round(x, 3) for x in start_cpu],
            "fresh_database_first_answer_s": round(fresh_start, 3),
            "fresh_database_cpu_to_first_answer_s": round(fresh_cpu, 3),
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
