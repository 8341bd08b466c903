"""One CDS call, end to end: prefetch -> facts -> engine -> cards.

The service object (``cds_service.service``) hands over a validated request; this module
decides what data to read, turns it into facts through the terminology tables, asks the
engine, renders the findings as cards and checks every card against the CDS Hooks invariants
before it leaves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import structlog
from pydantic import ValidationError

from cds_service.cards.render import CardContext, render_cards
from cds_service.cdshooks.models import (
    Card,
    CdsRequest,
    OrderSelectContext,
    OrderSignContext,
    validate_context,
)
from cds_service.cdshooks.prefetch import ReaderFactory, ResolvedData, resolve_prefetch
from cds_service.cdshooks.registry import HookName, ServiceSpec
from cds_service.cdshooks.timeline_link import TimelineLinks
from cds_service.engine import evaluate, evaluate_orders
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.thresholds import Thresholds
from cds_service.fhir.extract import extract_facts
from cds_service.fhir.extract.draft_orders import read_draft_orders
from cds_service.fhir.relevance import relevance_filter
from cds_service.terminology import Terminology

JsonObject = dict[str, Any]
log = structlog.get_logger("cds_service")


@dataclass(slots=True)
class CallResult:
    cards: list[JsonObject]
    finding_codes: list[str] = field(default_factory=list)
    data_issues: int = 0
    data_gaps: int = 0
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Pipeline:
    terminology: Terminology
    thresholds: Thresholds
    base_url: str
    fhir_deadline_seconds: float
    links: TimelineLinks | None = None  # the cards' timeline links; None: no links

    async def run(
        self,
        service: ServiceSpec,
        request: CdsRequest,
        reader_factory: ReaderFactory | None,
        today: date,
    ) -> CallResult:
        context: Mapping[str, Any] = request.context
        resolved = await resolve_prefetch(
            service.prefetch,
            request.prefetch,
            context,
            reader_factory,
            self.fhir_deadline_seconds,
            keep=relevance_filter(self.terminology).keep,
        )
        if len(resolved.resources) > OFFLOAD_ABOVE_RESOURCES:
            # A large chart is CPU work of tens of ms: off the event loop, so that other calls'
            # FHIR deadlines and small calls are not held behind it.
            return await asyncio.to_thread(
                self._conclude, service, request, resolved, reader_factory, today
            )
        return self._conclude(service, request, resolved, reader_factory, today)

    def _conclude(
        self,
        service: ServiceSpec,
        request: CdsRequest,
        resolved: ResolvedData,
        reader_factory: ReaderFactory | None,
        today: date,
    ) -> CallResult:
        """Facts, findings and checked cards from the resolved data (pure CPU work)."""
        context: Mapping[str, Any] = request.context
        facts = extract_facts(resolved.resources, self.terminology, today)
        findings, drafts = self._findings(service, request, facts, today, resolved.resources)
        patient_id = str(context.get("patientId", ""))
        links = None
        if self.links is not None and findings:  # one encryption per call, only with cards
            links = self.links.make(
                patient_id=patient_id,
                fhir_server=str(request.fhirServer) if reader_factory is not None else None,
                finding_codes=[f.code.value for f in findings],
                evaluated_on=today,
                cited=cited_references(findings),
                drafts=drafts,
            )
        card_context = CardContext(
            service_id=service.id,
            patient_id=patient_id,
            base_url=self.base_url,
            data_gaps=tuple(resolved.gaps),
            data_issues=data_issue_gap(facts),
            timeline_url=links.url if links else "",
            timeline_ref=links.ref if links else "",
            smart_launch_url=links.smart_launch_url if links else "",
            hook_instance=str(request.hookInstance),
        )
        cards = render_cards(findings, card_context, self.terminology)
        cards = [checked_card(card) for card in cards]
        return CallResult(
            cards=cards,
            finding_codes=[f.code.value for f in findings],
            data_issues=len(facts.issues),
            data_gaps=len(resolved.gaps),
            findings=findings,
        )

    def _findings(
        self,
        service: ServiceSpec,
        request: CdsRequest,
        facts: PatientFacts,
        today: date,
        resources: list[JsonObject],
    ) -> tuple[tuple[Finding, ...], tuple[DraftOrder, ...]]:
        """The call's findings, and its draft orders (order hooks; the timeline draws them)."""
        if service.hook is HookName.PATIENT_VIEW:
            return evaluate(facts, self.thresholds, today), ()
        hook_context = validate_context(request)
        if not isinstance(hook_context, OrderSelectContext | OrderSignContext):
            return (), ()
        drafts = read_draft_orders(
            hook_context.draft_resources(),
            self.terminology,
            today,
            selected=selected_references(hook_context),
            medications=resources,  # Medication resources a draft may reference
        )
        return evaluate_orders(facts, drafts, self.thresholds, today), drafts


OFFLOAD_ABOVE_RESOURCES = 1500


def cited_references(findings: tuple[Finding, ...]) -> list[str]:
    """The FHIR references the findings cite as evidence, in order, each once."""
    return list(dict.fromkeys(r for f in findings for e in f.evidence for r in e.references))


def data_issue_gap(facts: PatientFacts) -> tuple[str, ...]:
    """One line telling the clinician that some records could not be read as data."""
    count = len(facts.issues)
    if not count:
        return ()
    return (
        f"{count} record{'s' if count > 1 else ''} could not be read or "
        f"{'were' if count > 1 else 'was'} ambiguous; the assessment may miss what "
        f"{'they hold' if count > 1 else 'it holds'}",
    )


def checked_card(card: JsonObject) -> JsonObject:
    """The card if it meets the CDS Hooks invariants; else the card without its suggestions
    and links (data from the request, such as an odd resource id, must not cost the whole
    answer); a card that still fails is a bug and raises."""
    try:
        Card.model_validate(card)
        return card
    except ValidationError:
        stripped = {k: v for k, v in card.items() if k not in STRIPPABLE}
        log.warning("card_stripped", finding=card.get("source", {}).get("topic", {}).get("code"))
        Card.model_validate(stripped)
        return stripped


STRIPPABLE = frozenset({"suggestions", "selectionBehavior", "links"})


def selected_references(context: OrderSelectContext | OrderSignContext) -> frozenset[str] | None:
    """The orders to check: order-select's ``selections`` (all when absent); all at order-sign."""
    if isinstance(context, OrderSelectContext) and context.selections is not None:
        return frozenset(context.selections)
    return None
