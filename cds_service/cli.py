"""Command line: ``myositis-cds serve | mappings check | evaluate FILE | fixtures load``."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import orjson
import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from cds_service.settings import Environment, Settings

app = typer.Typer(help="Myositis CDS Hooks service", no_args_is_help=True)
mappings_app = typer.Typer(help="Terminology tables")
fixtures_app = typer.Typer(help="The synthetic fixture patients")
app.add_typer(mappings_app, name="mappings")
app.add_typer(fixtures_app, name="fixtures")

JsonObject = dict[str, Any]
EXIT_PRECONDITION = 3  # the service would answer 412: required data could not be had


@app.command()
def serve() -> None:
    """Serve the CDS Hooks service on CDS_HOST:CDS_PORT."""
    from cds_service.api.http_edges import PROTOCOL_IMPORT_PATH

    settings = Settings()
    uvicorn.run(
        "cds_service.asgi:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_config=None,
        # uvloop and httptools, named rather than left to "auto": the asyncio loop costs more
        # per request, and with several workers it added ~44 ms to keep-alive requests
        # (uvicorn issue 3149). "auto" remains where they cannot be installed.
        loop="uvloop" if _installed("uvloop") else "auto",
        # uvicorn's httptools protocol plus a header read timeout and header size and count
        # limits (cds_service/api/http_edges.py); h11, the fallback, has a size limit only.
        http=PROTOCOL_IMPORT_PATH if _installed("httptools") else "h11",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        ws="none",  # no WebSocket routes: skips importing websockets (~0.1-0.2 s of start-up)
        lifespan="on",  # start-up work (warm-up, GC freeze) must run, and fail loudly
    )


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@mappings_app.command("check")
def mappings_check() -> None:
    """Check the terminology tables; exit 1 listing every problem."""
    from cds_service.terminology import check_mappings

    settings = Settings(env=Environment.DEV, auth_required=False)
    problems = check_mappings(settings.mappings_dir)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"mappings OK: {settings.mappings_dir}")


# --- evaluate ---------------------------------------------------------------------------


@app.command()
def evaluate(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="A CDS Hooks request JSON, or a FHIR Bundle"
        ),
    ],
    hook: Annotated[
        str | None,
        typer.Option(
            help="patient-view, order-select or order-sign (default: the request's hook; "
            "patient-view for a Bundle)"
        ),
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="evaluation date YYYY-MM-DD (default: CDS_TODAY or today)")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="print the CDS Hooks response JSON")
    ] = False,
) -> None:
    """Run a saved request, or a patient's FHIR Bundle, through the service offline.

    No HTTP and no FHIR server: a Bundle becomes full prefetch; a request answers from its
    own prefetch, and one lacking required data answers with the 412 problems (exit 3).
    """
    from cds_service.api.outcome import operation_outcome
    from cds_service.api.state import load_thresholds
    from cds_service.cdshooks.models import CdsRequest, validate_context
    from cds_service.cdshooks.pipeline import Pipeline
    from cds_service.cdshooks.prefetch import PrefetchUnavailable
    from cds_service.cdshooks.registry import SERVICES, HookName
    from cds_service.terminology import TerminologyError, load_terminology

    console = Console(highlight=False)
    settings = Settings(env=Environment.DEV, auth_required=False)
    hook_name = _hook_option(hook, [h.value for h in HookName])
    document = _read_json(file)
    if document.get("resourceType") == "Bundle":
        body = request_from_bundle(document, hook_name or HookName.PATIENT_VIEW.value)
    elif "hook" in document:
        body = document
        if hook_name and hook_name != body.get("hook"):
            _fail(f"the request is for the '{body.get('hook')}' hook, not '{hook_name}'")
    else:
        _fail("the file is neither a CDS Hooks request nor a FHIR Bundle")
    try:
        request = CdsRequest.model_validate(body)
        validate_context(request)
    except ValidationError as error:
        _fail("invalid request: " + "; ".join(_error_lines(error)))
    service = next((s for s in SERVICES if s.hook.value == request.hook), None)
    if service is None:
        _fail(f"no service answers the '{request.hook}' hook")
    try:
        terminology = load_terminology(settings.mappings_dir)
    except TerminologyError as error:
        _fail("terminology tables failed to load: " + "; ".join(error.problems[:5]))
    pipeline = Pipeline(
        terminology=terminology,
        thresholds=load_thresholds(settings),
        base_url=settings.public_base_url.rstrip("/"),
        fhir_deadline_seconds=settings.fhir_timeout_seconds,
    )
    day = _evaluation_date(today, settings)
    try:
        result = asyncio.run(pipeline.run(service, request, None, day))
    except PrefetchUnavailable as missing:
        if json_output:
            typer.echo(_dumps(operation_outcome("not-found", missing.problems)))
        else:
            console.print(f"[bold red]412[/]: required data could not be had ({service.id})")
            for problem in missing.problems:
                console.print(f"  - {problem}")
        raise typer.Exit(EXIT_PRECONDITION) from None
    if json_output:
        typer.echo(_dumps({"cards": result.cards}))
        return
    _print_cards(console, service.id, day, result.cards, result.findings)


def _hook_option(hook: str | None, known: list[str]) -> str | None:
    if hook is not None and hook not in known:
        _fail(f"--hook must be one of {', '.join(known)}")
    return hook


def _read_json(file: Path) -> JsonObject:
    try:
        document = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        _fail(f"cannot read {file}: {error}")
    if not isinstance(document, dict):
        _fail(f"{file} does not hold a JSON object")
    return document


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _error_lines(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()]


def _evaluation_date(today: str | None, settings: Settings) -> date:
    if today is None:
        return settings.today or datetime.now(UTC).date()
    try:
        return date.fromisoformat(today)
    except ValueError:
        _fail("--today must be a date YYYY-MM-DD")


def _dumps(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def request_from_bundle(bundle: JsonObject, hook: str) -> JsonObject:
    """A CDS Hooks request whose prefetch holds the whole Bundle (one patient's resources)."""
    from cds_service.cdshooks.registry import PATIENT_HISTORY
    from cds_service.fhir.fixture_store import bundle_entries, patient_of

    resources = bundle_entries(bundle)
    patient = next((r for r in resources if r.get("resourceType") == "Patient"), None)
    if patient is None or not isinstance(patient.get("id"), str):
        _fail("the Bundle holds no Patient with an id")
    patient_id = str(patient["id"])
    prefetch: JsonObject = {}
    for template in PATIENT_HISTORY:
        if template.resource_type == "Patient":
            prefetch[template.key] = patient
            continue
        matches = [
            r
            for r in resources
            if r.get("resourceType") == template.resource_type and patient_of(r) == patient_id
        ]
        prefetch[template.key] = _searchset(matches)
    context: JsonObject = {"userId": "Practitioner/cli", "patientId": patient_id}
    if hook in ("order-select", "order-sign"):
        drafts = [
            r
            for r in resources
            if r.get("resourceType") in ("MedicationRequest", "ServiceRequest")
            and r.get("status") == "draft"
        ]
        context["draftOrders"] = _searchset(drafts, bundle_type="collection")
        if hook == "order-select":
            context["selections"] = [f"{r['resourceType']}/{r['id']}" for r in drafts]
    return {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
        "prefetch": prefetch,
    }


def _searchset(resources: list[JsonObject], bundle_type: str = "searchset") -> JsonObject:
    bundle: JsonObject = {"resourceType": "Bundle", "type": bundle_type}
    entries = [{"fullUrl": f"{r['resourceType']}/{r.get('id')}", "resource": r} for r in resources]
    if bundle_type == "searchset":
        bundle["total"] = len(resources)
    if entries:
        bundle["entry"] = entries
    return bundle


_INDICATOR_STYLE = {"critical": "bold red", "warning": "bold yellow", "info": "bold blue"}


def _print_cards(
    console: Console,
    service_id: str,
    day: date,
    cards: list[JsonObject],
    findings: tuple[Any, ...],
) -> None:
    console.print(f"[bold]{service_id}[/] on {day.isoformat()}: {len(cards)} card(s)")
    if not cards:
        console.print("No cards: nothing applies.")
        return
    summary = Table(title="Cards", show_lines=False)
    for column in ("#", "Indicator", "Finding", "Summary"):
        summary.add_column(column, overflow="fold")
    for index, card in enumerate(cards, 1):
        indicator = str(card.get("indicator", ""))
        summary.add_row(
            str(index),
            f"[{_INDICATOR_STYLE.get(indicator, 'bold')}]{indicator}[/]",
            str(card["source"]["topic"]["code"]),
            str(card.get("summary", "")),
        )
    console.print(summary)
    for index, (card, finding) in enumerate(zip(cards, findings, strict=False), 1):
        evidence = Table(
            title=f"{index}. {card['source']['topic']['code']}: evidence", title_justify="left"
        )
        for column in ("Evidence", "Value", "Date", "Reference range", "FHIR resource"):
            evidence.add_column(column, overflow="fold")
        for row in finding.evidence:
            evidence.add_row(
                row.label,
                row.value,
                row.when.isoformat() if row.when else "",
                row.reference_range,
                row.reference,
            )
        console.print(evidence)
        for suggestion in card.get("suggestions", []):
            mark = " (recommended)" if suggestion.get("isRecommended") else ""
            console.print(f"   suggestion: {suggestion['label']}{mark}")


# --- fixtures load ----------------------------------------------------------------------


@fixtures_app.command("load")
def fixtures_load(
    fhir: Annotated[
        str, typer.Option(help="base URL of the FHIR server, e.g. http://hapi:8080/fhir")
    ],
    wait: Annotated[
        float, typer.Option(help="seconds to wait for {URL}/metadata to answer", min=0)
    ] = 120.0,
    fixtures_dir: Annotated[
        Path | None,
        typer.Option(help="folder holding scenarios/*/bundle.json (default: CDS_FIXTURES_DIR)"),
    ] = None,
) -> None:
    """Post every fixture patient to a FHIR server as a transaction of PUTs (idempotent)."""
    from cds_service.fhir.fixture_store import as_transaction

    console = Console(highlight=False)
    folder = fixtures_dir or Settings(env=Environment.DEV, auth_required=False).fixtures_dir
    paths = sorted(folder.glob("scenarios/*/bundle.json"))
    if not paths:
        _fail(f"no scenarios/*/bundle.json under {folder}")
    base = fhir.rstrip("/")
    with httpx.Client(timeout=60.0, trust_env=False, follow_redirects=False) as client:
        if not _wait_for_metadata(client, base, wait):
            _fail(f"{base}/metadata did not answer within {wait:g} s", code=1)
        table = Table(title=f"Fixtures loaded into {base}")
        for column in ("Scenario", "Resources", "Result"):
            table.add_column(column)
        failures = 0
        for path in paths:
            transaction = as_transaction(orjson.loads(path.read_bytes()))
            outcome = _post_transaction(client, base, transaction)
            failures += outcome != "ok"
            style = "green" if outcome == "ok" else "red"
            table.add_row(
                path.parent.name, str(len(transaction["entry"])), f"[{style}]{outcome}[/]"
            )
        console.print(table)
    if failures:
        console.print(f"[red]{failures} of {len(paths)} scenario(s) failed[/]")
        raise typer.Exit(1)
    console.print(f"{len(paths)} scenario(s) loaded")


def _wait_for_metadata(client: httpx.Client, base: str, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            response = client.get(
                f"{base}/metadata", headers={"Accept": "application/fhir+json"}, timeout=5.0
            )
            if response.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))


def _post_transaction(client: httpx.Client, base: str, transaction: JsonObject) -> str:
    try:
        response = client.post(
            base,
            content=orjson.dumps(transaction),
            headers={
                "Content-Type": "application/fhir+json",
                "Accept": "application/fhir+json",
            },
        )
    except httpx.HTTPError as error:
        return f"failed: {type(error).__name__}"
    if response.status_code != 200:
        return f"failed: HTTP {response.status_code}"
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "failed: the answer is not JSON"
    if body.get("type") != "transaction-response":
        return "failed: the answer is not a transaction-response Bundle"
    return "ok"


def main() -> None:
    app()


if __name__ == "__main__":
    main()
