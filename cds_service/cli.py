"""Command line: ``myositis-cds serve | db upgrade | mappings check | evaluate FILE |
fixtures load``."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import httpx
import orjson
import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from cds_service.settings import Environment, Settings
from cds_service.version import VERSION

if TYPE_CHECKING:
    from cds_service.storage import SchemaStatus

app = typer.Typer(help="Myositis CDS Hooks service", no_args_is_help=True)
mappings_app = typer.Typer(help="Terminology tables")
fixtures_app = typer.Typer(help="The synthetic fixture patients")
app.add_typer(mappings_app, name="mappings")
app.add_typer(fixtures_app, name="fixtures")
db_app = typer.Typer(help="The database of feedback and the JWT replay cache")
app.add_typer(db_app, name="db")
feedback_app = typer.Typer(help="Feedback on the cards: the governance report")
app.add_typer(feedback_app, name="feedback")

JsonObject = dict[str, Any]
# uvicorn imports it by name in every worker, like the app (not imported here: the command
# line does not import the HTTP layer).
HTTP_PROTOCOL = "cds_service.api.http_edges:HardenedHttpToolsProtocol"
EXIT_PRECONDITION = 3  # the service would answer 412: required data could not be had


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"myositis-cds {VERSION}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Myositis CDS Hooks service."""


@app.command()
def serve() -> None:
    """Migrate the database, then serve the CDS Hooks service on CDS_HOST:CDS_PORT.

    The migration runs here, once, before uvicorn starts its workers (they never create
    tables); other replicas upgrading at the same moment wait for it and find nothing to do.
    """
    settings = Settings()
    _upgrade_or_fail(settings.database_url)
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
        http=HTTP_PROTOCOL if _installed("httptools") else "h11",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        ws="none",  # no WebSocket routes: skips importing websockets (~0.1-0.2 s of start-up)
        lifespan="on",  # start-up work (warm-up, GC freeze) must run, and fail loudly
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="the revision to reach")] = "head",
) -> None:
    """Apply the schema migrations to CDS_DATABASE_URL (safe to run from many places at once)."""
    status = _upgrade_or_fail(_database_url_only(), revision)
    typer.echo(f"database at revision {status.current} (head {status.head})")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision; exit 1 when it is not the one the service needs."""
    from cds_service.storage import make_engine, schema_status

    engine = make_engine(_database_url_only())
    try:
        status = schema_status(engine)
    finally:
        engine.dispose()
    problem = status.problem()
    if problem is not None:
        _fail(problem, code=1)
    typer.echo(f"database at revision {status.current} (head {status.head})")


@feedback_app.command("report")
def feedback_report(
    since: Annotated[str | None, typer.Option(help="first day of issue, YYYY-MM-DD (UTC)")] = None,
    until: Annotated[
        str | None, typer.Option(help="last day of issue, YYYY-MM-DD (UTC), included")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Cards shown, accepted (by suggestion), overridden (by reason) and left without
    feedback, per finding code and rule version, from CDS_DATABASE_URL (docs/feedback.md).
    Counts of 1 to 4 cards show as <5."""
    from sqlalchemy.exc import SQLAlchemyError

    from cds_service.cdshooks.feedback_report import load_report, report_document
    from cds_service.storage import error_name, make_engine

    first, last = _day_option("--since", since), _day_option("--until", until)
    if first is not None and last is not None and first > last:
        _fail("--since must not be after --until")
    engine = make_engine(_database_url_only())
    try:
        document = report_document(load_report(engine, first, last))
    except SQLAlchemyError as error:
        _fail(f"the report cannot be read: {error_name(error)}", code=1)
    finally:
        engine.dispose()
    if json_output:
        typer.echo(_dumps(document))
        return
    _print_report(Console(highlight=False), document)


def _day_option(name: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{name} must be a date YYYY-MM-DD")


def _print_report(console: Console, document: JsonObject) -> None:
    period = f"{document['since'] or 'the first card'} to {document['until'] or 'today'}"
    console.print(f"[bold]Feedback on the cards[/] issued from {period}")
    unmatched = document["unmatchedFeedback"]
    console.print(
        f"Unmatched feedback, left out of every rate: {sum(unmatched.values())}"
        + (f" ({', '.join(f'{k}: {v}' for k, v in unmatched.items())})" if unmatched else "")
    )
    if not document["rows"]:
        console.print("No card was issued in this period.")
        return
    table = Table(show_lines=True)
    table.add_column("Finding", no_wrap=True)
    for column in ("Rule", "Shown", "Accepted", "Rate (95 % CI)", "Overridden",
                   "Rate (95 % CI)", "Comments", "No feedback"):  # fmt: skip
        table.add_column(column, overflow="fold")
    for row in document["rows"]:
        table.add_row(
            row["findingCode"],
            row["ruleVersion"],
            str(row["shown"]),
            _with_breakdown(row["accepted"], row["acceptedBySuggestion"]),
            _rate_text(row["acceptanceRate"]),
            _with_breakdown(row["overridden"], row["overriddenByReason"]),
            _rate_text(row["overrideRate"]),
            str(row["comments"]),
            str(row["noFeedback"]),
        )
    console.print(table)


def _with_breakdown(total: object, parts: dict[str, object]) -> str:
    return "\n".join([str(total), *(f"  {name}: {n}" for name, n in parts.items())])


def _rate_text(rate: object) -> str:
    if not isinstance(rate, dict):
        return "-" if rate is None else str(rate)
    low, high = rate["ci95"]
    return f"{rate['rate']:.0%} ({low:.0%}-{high:.0%})"


def _database_url_only() -> str:
    """CDS_DATABASE_URL, read without the serving settings' checks: a migration job is given
    the database URL and nothing else (no trusted clients, no public URL)."""
    return Settings(env=Environment.DEV, auth_required=False).database_url


def _upgrade_or_fail(database_url: str, revision: str = "head") -> SchemaStatus:
    """Run the migrations; a database that cannot be reached or migrated stops with exit 1
    and a one-line reason (never the URL: it may hold a password)."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from cds_service.storage import error_name, upgrade_database

    try:
        return upgrade_database(database_url, revision)
    except SQLAlchemyError as error:
        _fail(f"database migration failed: {error_name(error)}", code=1)
    except CommandError as error:
        _fail(f"database migration failed: {error}", code=1)


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@mappings_app.command("check")
def mappings_check() -> None:
    """Check the terminology tables, and that every create action a card can offer is coded
    from a verified row of orders.csv; exit 1 listing every problem."""
    from cds_service.cards.create_actions import check_create_actions
    from cds_service.terminology import check_mappings, load_terminology

    settings = Settings(env=Environment.DEV, auth_required=False)
    problems = check_mappings(settings.mappings_dir)
    if not problems:
        problems = check_create_actions(load_terminology(settings.mappings_dir))
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
    from cds_service.cdshooks.models import CdsRequest, validate_context
    from cds_service.cdshooks.operation_outcome import operation_outcome
    from cds_service.cdshooks.prefetch import PrefetchUnavailable
    from cds_service.cdshooks.registry import SERVICES, HookName
    from cds_service.cdshooks.validation_messages import validation_messages
    from cds_service.service import NotReady, build_service

    console = Console(highlight=False)
    settings = Settings(env=Environment.DEV, auth_required=False)
    hook_name = _hook_option(hook, [h.value for h in HookName])
    day = _evaluation_date(today, settings)
    document = _as_of_day(_read_json(file), file, settings, day)
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
        _fail("invalid request: " + "; ".join(validation_messages(error.errors(), limit=None)))
    service = next((s for s in SERVICES if s.hook.value == request.hook), None)
    if service is None:
        _fail(f"no service answers the '{request.hook}' hook")
    cds = build_service(settings, offline=True)
    try:
        result = asyncio.run(cds.call(service, request, today=day))
    except NotReady as not_ready:
        _fail("terminology tables failed to load: " + "; ".join(not_ready.problems[:5]))
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


def _as_of_day(document: JsonObject, file: Path, settings: Settings, day: date) -> JsonObject:
    """A fixture scenario's file moved to the evaluation day (the fixtures live on the real
    clock, ``fhir.fixture_dates``); any other file as it is."""
    from cds_service.fhir.fixture_dates import days_from_anchor, shift_dates

    scenarios = (settings.fixtures_dir / "scenarios").resolve()
    if not file.resolve().is_relative_to(scenarios):
        return document
    moved: JsonObject = shift_dates(document, days_from_anchor(day))
    return moved


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


def _evaluation_date(today: str | None, settings: Settings) -> date:
    if today is None:
        return settings.evaluation_day()
    try:
        return date.fromisoformat(today)
    except ValueError:
        _fail("--today must be a date YYYY-MM-DD")


def _dumps(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def request_from_bundle(bundle: JsonObject, hook: str) -> JsonObject:
    """A CDS Hooks request whose prefetch holds the whole Bundle (one patient's resources)."""
    from cds_service.cdshooks.patient_prefetch import patient_prefetch
    from cds_service.fhir.bundles import collection
    from cds_service.fhir.fixture_store import bundle_entries

    resources = bundle_entries(bundle)
    patient = next((r for r in resources if r.get("resourceType") == "Patient"), None)
    if patient is None or not isinstance(patient.get("id"), str):
        _fail("the Bundle holds no Patient with an id")
    patient_id = str(patient["id"])
    context: JsonObject = {"userId": "Practitioner/cli", "patientId": patient_id}
    if hook in ("order-select", "order-sign"):
        drafts = [
            r
            for r in resources
            if r.get("resourceType") in ("MedicationRequest", "ServiceRequest")
            and r.get("status") == "draft"
        ]
        context["draftOrders"] = collection(drafts)
        if hook == "order-select":
            context["selections"] = [f"{r['resourceType']}/{r['id']}" for r in drafts]
    return {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
        "prefetch": patient_prefetch(resources, patient_id),
    }


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
                ", ".join(row.references),
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
    from cds_service.fhir.fixture_dates import days_from_anchor, shift_dates
    from cds_service.fhir.fixture_store import as_transaction

    console = Console(highlight=False)
    settings = Settings(env=Environment.DEV, auth_required=False)
    folder = fixtures_dir or settings.fixtures_dir
    days = days_from_anchor(settings.evaluation_day())  # the charts as current as written
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
            transaction = as_transaction(shift_dates(orjson.loads(path.read_bytes()), days))
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
