"""``CdsService``: one CDS call, one course for the timeline, one feedback batch.

The faces hand over validated requests and turn what comes back into their own answers
(HTTP status codes, terminal output); nothing here knows about HTTP or the terminal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.exc import SQLAlchemyError

from cds_service.cdshooks.auth import TokenVerifier, VerifiedCaller
from cds_service.cdshooks.card_ledger import CardLedger, LedgerUnavailable, issued_cards
from cds_service.cdshooks.feedback_report import FeedbackReport, load_report
from cds_service.cdshooks.feedback_store import FeedbackStore, StoreResult
from cds_service.cdshooks.fhir_access import FhirAccess
from cds_service.cdshooks.metrics import LEDGER_FAILURES
from cds_service.cdshooks.models import CdsRequest, FeedbackRequest
from cds_service.cdshooks.pipeline import CallResult, Pipeline
from cds_service.cdshooks.registry import ServiceSpec
from cds_service.cdshooks.smart_app import SmartApp
from cds_service.cdshooks.timeline_link import TimelineLinks, TimelineRef
from cds_service.cdshooks.timeline_source import CourseUnavailable, TimelineSource
from cds_service.engine.facts import PatientFacts
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.fhir.dev_smart_server import DevSmartServer
from cds_service.fhir.extract import extract_facts
from cds_service.fhir.fixture_store import FixtureStore
from cds_service.service.feedback import feedback_records
from cds_service.settings import Settings
from cds_service.storage import SchemaGate, error_name
from cds_service.terminology import Terminology

log = structlog.get_logger("cds_service")

__all__ = ["CdsService", "Course", "CourseUnavailable", "NotReady", "ReportUnavailable"]


class ReportUnavailable(Exception):
    """The feedback report cannot be read: no database (offline), or the database failed."""


class NotReady(Exception):
    """The service cannot answer calls: its terminology tables failed to load."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("terminology tables failed to load")
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Course:
    """A patient's disease course as a card's timeline link asks for it."""

    facts: PatientFacts
    evaluated_on: date
    finding_codes: tuple[str, ...]  # the findings of the call that issued the card
    cited: frozenset[str]  # FHIR references ("Observation/x") those findings cited
    drafts: tuple[DraftOrder, ...]  # the draft orders of an order-hook call (the link's)
    link_expires: datetime | None  # None: read with the clinician's own token (SMART app)


@dataclass(frozen=True, slots=True)
class CdsService:
    """What the running service holds; built by ``build_service`` and never patched after."""

    settings: Settings
    access: FhirAccess
    pipeline: Pipeline | None  # None: not ready (see ``problems``)
    terminology: Terminology | None
    problems: tuple[str, ...] = ()
    feedback: FeedbackStore | None = None  # None in an offline service
    schema: SchemaGate | None = None  # the database's migration state; None offline
    ledger: CardLedger | None = None  # the ledger of issued cards; None offline
    ledger_key: bytes | None = None  # key of the ledger's pseudonymous patient key
    verifier: TokenVerifier | None = None  # None: authentication off
    fixtures: FixtureStore | None = None  # the embedded FHIR endpoint's patients (dev)
    links: TimelineLinks | None = None  # None: cards carry no timeline link
    timeline: TimelineSource | None = None
    smart: SmartApp | None = None  # the timeline as a SMART app (cards' smart link)
    dev_smart: DevSmartServer | None = None  # the embedded endpoint's SMART server (dev)
    reads_fhir: bool = True  # False: an offline service answers from prefetch alone

    @property
    def ready(self) -> bool:
        return self.pipeline is not None

    def readiness_problems(self) -> list[str]:
        """Why calls cannot be taken yet: the terminology tables, or a database schema that is
        not migrated (``myositis-cds db upgrade``). Empty when ready. May query the database
        (until it is found migrated): call it off the event loop."""
        problems = list(self.problems)
        if self.pipeline is None and not problems:
            problems.append("terminology tables not loaded")
        schema_problem = self.schema.status().problem() if self.schema is not None else None
        if schema_problem is not None:
            problems.append(schema_problem)
        return problems

    def evaluation_date(self) -> date:
        """``CDS_TODAY`` when set, else today's date (UTC)."""
        return self.settings.evaluation_day()

    async def call(
        self,
        spec: ServiceSpec,
        request: CdsRequest,
        caller: VerifiedCaller | None = None,
        *,
        today: date | None = None,
    ) -> CallResult:
        """Cards for a validated request. Raises ``NotReady``, ``prefetch.WrongPatient`` (the
        data is about another patient) and ``prefetch.PrefetchUnavailable`` (required data
        could not be had)."""
        if self.pipeline is None:
            raise NotReady(self.problems)
        readers = None
        if self.reads_fhir and request.fhirServer is not None:
            readers = self.access.readers_for_call(request, caller)
            if readers is None:
                log.warning("fhir_server_not_trusted", service=spec.id)
        result = await self.pipeline.run(spec, request, readers, today or self.evaluation_date())
        if self.ledger is not None and result.cards:
            await asyncio.to_thread(self._record_issued, spec, request, result)
        return result

    def _record_issued(self, spec: ServiceSpec, request: CdsRequest, result: CallResult) -> None:
        """Write the call's cards to the ledger before they are returned. A ledger that cannot
        be written never costs the clinician the cards: counted and logged instead."""
        assert self.ledger is not None
        patient_id = request.context.get("patientId")
        try:
            rows = issued_cards(
                service_id=spec.id,
                hook=str(request.hook),
                hook_instance=str(request.hookInstance),
                patient_id=str(patient_id or ""),
                cards=result.cards,
                findings=result.findings,
                issued_at=self.ledger.now(),
                key=self.ledger_key,
            )
            self.ledger.record(rows)
        except (LedgerUnavailable, ValueError) as error:
            LEDGER_FAILURES.labels(spec.id).inc()
            log.error("card_ledger_unavailable", service=spec.id, error=str(error))

    async def course(self, ref: str) -> Course:
        """The course behind a card's timeline reference, with what that card's call cited,
        whichever hook issued it. Raises ``CourseUnavailable`` (reason ``invalid-link``,
        ``patient-not-found``, ``fhir-server-not-allowed`` or ``fhir-read-failed``) and
        ``NotReady``."""
        opened = self.links.open(ref) if self.links is not None else None
        if opened is None:
            raise CourseUnavailable("invalid-link")
        return await self.course_of(opened)

    async def course_of(
        self, opened: TimelineRef, *, access_token: str | None = None, server: str | None = None
    ) -> Course:
        """The course of an opened reference; with the clinician's ``access_token`` (the SMART
        app), read at ``server``, the FHIR server that issued it."""
        if self.timeline is None:
            raise CourseUnavailable("invalid-link")
        if self.terminology is None:
            raise NotReady(self.problems)
        resources = await self.timeline.resources(opened, access_token=access_token, server=server)
        return Course(
            facts=extract_facts(resources, self.terminology, opened.evaluated_on),
            evaluated_on=opened.evaluated_on,
            finding_codes=opened.finding_codes,
            cited=frozenset(opened.cited),
            drafts=opened.drafts,
            link_expires=(None if access_token else datetime.fromtimestamp(opened.expires_at, UTC)),
        )

    def feedback_report(self, since: date | None, until: date | None) -> FeedbackReport:
        """The feedback report of the cards issued from ``since`` to ``until`` (blocking I/O:
        call it off the event loop). Raises ``ReportUnavailable``."""
        if self.ledger is None:
            raise ReportUnavailable("an offline service keeps no ledger")
        try:
            return load_report(self.ledger.engine, since, until)
        except SQLAlchemyError as error:
            log.error("feedback_report_unavailable", error=error_name(error))
            raise ReportUnavailable(error_name(error)) from error

    def store_feedback(self, spec: ServiceSpec, request: FeedbackRequest) -> StoreResult:
        """Store a feedback batch (idempotent; blocking I/O: call it off the event loop)."""
        if self.feedback is None:
            raise RuntimeError("an offline service stores no feedback")
        return self.feedback.store(feedback_records(spec.id, request))
