"""``GET /timeline/{ref}``: the patient's disease course, linked from every card.

``ref`` is the opaque, encrypted, 15-minute reference of ``cdshooks.timeline_link``; it is
the page's only credential (a browser opening a card's link carries no EHR JWT). An invalid
or expired reference is a plain 404 page with no detail. The course (the facts, and the
resources the card's findings cited, whichever hook issued it) comes from
``CdsService.course``; it is drawn server-side as inline SVG (``cards.timeline_page``).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cds_service.api.deps import Service
from cds_service.api.logs import get_logger
from cds_service.cards.timeline_page import course_page, message_page
from cds_service.cards.timeline_svg import CourseMarks
from cds_service.cdshooks.metrics import TIMELINE_VIEWS
from cds_service.service import CdsService, Course, CourseUnavailable, NotReady

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


def smart_link_only(service: CdsService) -> bool:
    """Whether a card's link must start a SMART authorization rather than show data: always
    in production; in development when the embedded endpoint requires tokens."""
    settings = service.settings
    return service.smart is not None and (not settings.is_dev or settings.dev_fhir_require_tokens)


@router.get("/timeline/{ref}", summary="Disease course timeline (from a card's link)")
async def timeline(
    ref: Annotated[str, Path(description="opaque, encrypted, short-lived reference")],
    service: Service,
) -> Response:
    links = service.links
    if links is not None and links.open(ref) is None and links.expired_patient(ref):
        TIMELINE_VIEWS.labels("invalid-link").inc()
        return _page(expired_page(ref, service.smart is not None), 410)
    if links is not None and links.open(ref) is not None and smart_link_only(service):
        return RedirectResponse(
            f"/smart/standalone/{quote(ref, safe='.-_')}", 303, headers=SECURITY_HEADERS
        )
    return await course_response(service.course(ref))


async def course_response(reading: Awaitable[Course]) -> Response:
    """The course page once ``reading`` gives the course; a short page when it cannot."""
    try:
        course = await reading
    except NotReady:
        TIMELINE_VIEWS.labels("data-unavailable").inc()
        return _page(message_page("Not available", "The service is not ready."), 503)
    except CourseUnavailable as unavailable:
        if unavailable.reason == "invalid-link":
            TIMELINE_VIEWS.labels("invalid-link").inc()
            return _page(NOT_FOUND, 404)
        log.info("timeline_unavailable", reason=unavailable.reason)
        TIMELINE_VIEWS.labels("data-unavailable").inc()
        if unavailable.reason == "patient-not-found":
            return _page(NOT_FOUND, 404)
        return _page(
            message_page("Not available", "The patient's record cannot be read from here."), 503
        )
    marks = CourseMarks(
        evaluated_on=course.evaluated_on,
        finding_codes=course.finding_codes,
        cited=course.cited,
        drafts=course.drafts,
    )
    TIMELINE_VIEWS.labels("shown").inc()
    return _page(course_page(course.facts, marks, link_expires=course.link_expires))
