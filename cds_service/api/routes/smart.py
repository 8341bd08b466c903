"""The course timeline as a SMART on FHIR app: ``/smart/launch``, ``/smart/standalone/{ref}``
and ``/smart/callback`` (the protocol is ``cdshooks.smart_app``).

The pending launch is kept server-side; the browser holds only an opaque session id in an
``HttpOnly; Secure; SameSite=Lax`` cookie scoped to ``/smart`` for ten minutes, cleared at the
callback. The token never appears in a URL, a log line or the page. Every refusal is a short
page with no patient data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cds_service.api.deps import Service
from cds_service.api.logs import get_logger
from cds_service.api.routes.timeline import SECURITY_HEADERS, course_response
from cds_service.cards.timeline_page import message_page
from cds_service.cdshooks.metrics import TIMELINE_VIEWS
from cds_service.cdshooks.smart_app import SESSION_SECONDS, SmartApp, SmartRefused

router = APIRouter(prefix="/smart", tags=["SMART timeline app"])
log = get_logger()

COOKIE = "myositis_smart"

REFUSALS: dict[str, tuple[str, str]] = {
    "iss-not-trusted": (
        "Not a trusted FHIR server",
        "This app reads only the FHIR servers of the EHRs the service trusts.",
    ),
    "session-expired": (
        "Sign-in expired",
        "The sign-in took too long or was already used. Open the timeline again from the card.",
    ),
    "state-mismatch": (
        "Sign-in not accepted",
        "The answer of the sign-in does not belong to this browser's launch.",
    ),
    "patient-mismatch": (
        "Different patient",
        "The sign-in gave access to a different patient than the card's. Nothing is shown.",
    ),
    "server-mismatch": (
        "Different record",
        "The card was issued for another FHIR server than the one signed in to.",
    ),
    "invalid-link": ("Link not found", "This timeline link is not valid."),
    "authorization-denied": ("Access not granted", "The sign-in did not grant access."),
    "launch-parameters-missing": (
        "Launch incomplete",
        "The EHR's launch needs iss and launch parameters.",
    ),
}
UNAVAILABLE = ("Sign-in unavailable", "The EHR's authorization server cannot be used now.")


def _app(service: Service) -> SmartApp:
    if service.smart is None:
        raise SmartRefused("smart-app-off", 404)
    return service.smart


def _refusal(refused: SmartRefused) -> Response:
    log.info("smart_refused", reason=refused.reason)
    TIMELINE_VIEWS.labels("refused").inc()
    title, text = REFUSALS.get(refused.reason, UNAVAILABLE)
    if refused.reason == "smart-app-off":
        title, text = "Not available", "The SMART app is not enabled on this service."
    response = HTMLResponse(
        message_page(title, text), status_code=refused.status, headers=SECURITY_HEADERS
    )
    response.delete_cookie(COOKIE, path="/smart", secure=True, httponly=True, samesite="lax")
    return response


def _to_authorization(session_id: str, url: str) -> Response:
    response = RedirectResponse(url, status_code=302, headers=SECURITY_HEADERS)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=SESSION_SECONDS,
        path="/smart",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/launch", summary="SMART EHR launch (the cards' smart link)")
async def launch(
    service: Service,
    iss: Annotated[str, Query(description="the EHR's FHIR base URL")] = "",
    launch: Annotated[str, Query(description="the EHR's opaque launch context")] = "",
) -> Response:
    try:
        session_id, url = await _app(service).begin_ehr_launch(iss, launch)
    except SmartRefused as refused:
        return _refusal(refused)
    return _to_authorization(session_id, url)


@router.get("/standalone/{ref}", summary="SMART standalone launch for a card's link")
async def standalone(
    ref: Annotated[str, Path(description="the card's opaque reference")], service: Service
) -> Response:
    try:
        session_id, url = await _app(service).begin_standalone(ref)
    except SmartRefused as refused:
        return _refusal(refused)
    return _to_authorization(session_id, url)


@router.get("/callback", summary="SMART redirect URI: token exchange, then the timeline")
async def callback(
    request: Request,
    service: Service,
    code: Annotated[str, Query(description="authorization code")] = "",
    state: Annotated[str, Query(description="the state sent with the request")] = "",
    error: Annotated[str, Query(description="an authorization error")] = "",
) -> Response:
    try:
        done = await _app(service).finish(
            request.cookies.get(COOKIE), state=state, code=code, error=error
        )
    except SmartRefused as refused:
        return _refusal(refused)
    response = await course_response(
        service.course_of(done.opened, access_token=done.access_token, server=done.fhir_server)
    )
    response.delete_cookie(COOKIE, path="/smart", secure=True, httponly=True, samesite="lax")
    return response
