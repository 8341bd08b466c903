"""``GET /timeline/{ref}``: the patient's disease course, linked from every card.

``ref`` is the opaque, encrypted, 15-minute reference of ``cdshooks.timeline_link``; it is
the page's only credential (a browser opening a card's link carries no EHR JWT). An invalid
or expired reference is a plain 404 page with no detail. The record is read as
``cdshooks.timeline_source`` allows, turned into facts by the same extraction as a CDS call,
and drawn server-side as inline SVG (``cards.timeline_page``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cds_service.api.logs import get_logger
from cds_service.api.state import ServiceState
from cds_service.cards.timeline_page import course_page, message_page
from cds_service.cards.timeline_svg import CourseMarks
from cds_service.cdshooks.auth import TrustedClients, load_trusted_clients
from cds_service.cdshooks.metrics import TIMELINE_VIEWS
from cds_service.cdshooks.smart_app import SmartApp
from cds_service.cdshooks.timeline_link import TimelineLinks, TimelineRef
from cds_service.cdshooks.timeline_source import CourseUnavailable, TimelineSource
from cds_service.engine import evaluate
from cds_service.engine.facts import PatientFacts
from cds_service.fhir.extract import extract_facts

router = APIRouter(tags=["timeline"])
log = get_logger()

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    ),
}


@dataclass(frozen=True)
class TimelineService:
    links: TimelineLinks
    source: TimelineSource
    smart: SmartApp | None = None


def build_timeline(state: ServiceState) -> TimelineService | None:
    """The timeline of a service, or None when links are off (prod without CDS_LINK_SECRET)."""
    settings = state.settings
    links = TimelineLinks.from_settings(settings)
    if links is None:
        log.warning("timeline_links_disabled", reason="CDS_LINK_SECRET is not set")
        return None
    trusted: TrustedClients | None = None
    if settings.trusted_clients is not None:
        trusted = load_trusted_clients(settings.trusted_clients)
    return TimelineService(
        links=links,
        source=TimelineSource(settings=settings, fixtures=state.fixtures, trusted=trusted),
        smart=SmartApp(settings, links, trusted) if settings.smart_app_on else None,
    )


def _page(html: str, status: int = 200) -> Response:
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


NOT_FOUND = message_page(
    "Link not found",
    "This timeline link is not valid or has expired. Open it again from the card.",
)


def expired_page(ref: str, smart_on: bool) -> str:
    """An expired link: with the SMART app, a fresh launch (the clinician's own sign-in)."""
    if not smart_on:
        return NOT_FOUND
    return message_page(
        "Link expired",
        "This timeline link has expired. You can open the timeline again with your own "
        "sign-in at the patient's record.",
        action=(f"/smart/standalone/{quote(ref, safe='.-_')}", "Open the timeline again"),
    )


def smart_link_only(state: ServiceState) -> bool:
    """Whether a card's link must start a SMART authorization rather than show data: always
    in production; in development when the embedded endpoint requires tokens."""
    settings = state.settings
    return settings.smart_app_on and (not settings.is_dev or settings.dev_fhir_require_tokens)


@router.get("/timeline/{ref}", summary="Disease course timeline (from a card's link)")
async def timeline(
    ref: Annotated[str, Path(description="opaque, encrypted, short-lived reference")],
    request: Request,
) -> Response:
    service: TimelineService | None = getattr(request.app.state, "timeline", None)
    opened = service.links.open(ref) if service is not None else None
    state: ServiceState = request.app.state.service
    if service is not None and opened is None and service.links.expired_patient(ref):
        TIMELINE_VIEWS.labels("invalid-link").inc()
        return _page(expired_page(ref, state.settings.smart_app_on), 410)
    if service is None or opened is None:
        TIMELINE_VIEWS.labels("invalid-link").inc()
        return _page(NOT_FOUND, 404)
    if smart_link_only(state):
        return RedirectResponse(
            f"/smart/standalone/{quote(ref, safe='.-_')}", 303, headers=SECURITY_HEADERS
        )
    return await draw_timeline(request, opened)


async def draw_timeline(
    request: Request,
    opened: TimelineRef,
    *,
    access_token: str | None = None,
    server: str | None = None,
) -> Response:
    """The course page of a link's patient, read as ``TimelineSource`` allows (with the
    clinician's token when the SMART app has one)."""
    service: TimelineService = request.app.state.timeline
    state: ServiceState = request.app.state.service
    if state.terminology is None:
        TIMELINE_VIEWS.labels("data-unavailable").inc()
        return _page(message_page("Not available", "The service is not ready."), 503)
    try:
        resources = await service.source.resources(opened, access_token=access_token, server=server)
    except CourseUnavailable as unavailable:
        log.info("timeline_unavailable", reason=unavailable.reason)
        TIMELINE_VIEWS.labels("data-unavailable").inc()
        if unavailable.reason == "patient-not-found":
            return _page(NOT_FOUND, 404)
        return _page(
            message_page("Not available", "The patient's record cannot be read from here."), 503
        )
    facts = extract_facts(resources, state.terminology, opened.evaluated_on)
    marks = CourseMarks(
        evaluated_on=opened.evaluated_on,
        finding_codes=opened.finding_codes,
        cited=_cited(state, facts, opened),
    )
    TIMELINE_VIEWS.labels("shown").inc()
    expires = None if access_token else datetime.fromtimestamp(opened.expires_at, UTC)
    return _page(course_page(facts, marks, link_expires=expires))


def _cited(state: ServiceState, facts: PatientFacts, opened: TimelineRef) -> frozenset[str]:
    """The resources the link's findings cite, as the engine gives them today."""
    if state.pipeline is None or not opened.finding_codes:
        return frozenset()
    wanted = set(opened.finding_codes)
    findings = evaluate(facts, state.pipeline.thresholds, opened.evaluated_on)
    return frozenset(
        e.reference for f in findings if f.code.value in wanted for e in f.evidence if e.reference
    )
