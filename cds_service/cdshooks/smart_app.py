"""The course timeline as a SMART on FHIR app (SMART App Launch 2): launch and callback.

* EHR launch: ``/smart/launch?iss=...&launch=...``. The card's reference comes back as the
  token response's ``appContext`` (the EHR passes a card's ``appContext`` to the app).
* Standalone launch: a card's ``absolute`` link, where the link alone must not show data; the
  app starts the authorization at the FHIR server the link names, without ``launch``, and
  keeps the link's reference in its session.

Either way the app discovers ``{iss}/.well-known/smart-configuration``, sends the browser to
the authorization endpoint (code flow, PKCE S256, ``state``, ``aud=iss``) and, at the callback,
exchanges the code for the clinician's token. It refuses, with a reason and no data: an
``iss`` that no trusted client lists, an unknown or expired session, a wrong ``state``, a token
for another patient than the link's. The session lives in this process's memory behind an
opaque cookie for ``SESSION_SECONDS`` and is used once; the token is used for the reads of
one page and dropped.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cds_service.cdshooks.auth import TrustedClients
from cds_service.cdshooks.timeline_link import TimelineLinks, TimelineRef
from cds_service.fhir.dev_smart_server import launch_value
from cds_service.fhir.smart_client import (
    SmartEndpoints,
    SmartProtocolError,
    authorization_url,
    discover,
    exchange_code,
    new_code_verifier,
)
from cds_service.settings import Settings

__all__ = ["DEV_CLIENT_ID", "SmartApp", "SmartRefused", "SmartSessions", "SmartSuccess"]

SESSION_SECONDS = 600
MAX_SESSIONS = 10_000
DEV_CLIENT_ID = "myositis-cds-timeline"
RESOURCE_SCOPES = " ".join(
    f"patient/{t}.rs"
    for t in (
        "Patient",
        "Condition",
        "Observation",
        "MedicationRequest",
        "MedicationStatement",
        "MedicationAdministration",
    )
)
EHR_SCOPE = f"launch openid fhirUser {RESOURCE_SCOPES}"
STANDALONE_SCOPE = f"launch/patient openid fhirUser {RESOURCE_SCOPES}"


class SmartRefused(Exception):
    """The launch cannot go on. ``reason`` is a short word (safe to log); ``status`` the HTTP
    status of the page that says so."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class _Pending:
    state: str
    code_verifier: str
    iss: str
    client_id: str
    token_endpoint: str
    ref: str | None  # the link's reference (standalone); EHR launch: from the token
    expires_at: float


@dataclass(frozen=True, slots=True)
class SmartSuccess:
    """A finished launch: the link's content, the FHIR server and the clinician's token."""

    opened: TimelineRef
    fhir_server: str
    access_token: str


class SmartSessions:
    """Pending launches by opaque session id, each used once, dropped after their time."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._pending: OrderedDict[str, _Pending] = OrderedDict()

    def add(self, pending: _Pending) -> str:
        now = self._clock()
        while self._pending and (
            len(self._pending) >= MAX_SESSIONS
            or next(iter(self._pending.values())).expires_at <= now
        ):
            self._pending.popitem(last=False)
        session_id = secrets.token_urlsafe(32)
        self._pending[session_id] = pending
        return session_id

    def take(self, session_id: str | None) -> _Pending | None:
        pending = self._pending.pop(session_id or "", None)
        if pending is None or pending.expires_at <= self._clock():
            return None
        return pending


class SmartApp:
    def __init__(
        self,
        settings: Settings,
        links: TimelineLinks,
        trusted: TrustedClients | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._links = links
        self._trusted = trusted
        self._clock = clock
        self.sessions = SmartSessions(clock)
        base = settings.public_base_url.rstrip("/")
        self.redirect_uri = f"{base}/smart/callback"
        self._embedded = f"{base}/fhir"

    def client_id_for(self, iss: str) -> str | None:
        """The app's client id at the EHR whose FHIR server is ``iss``; None: not trusted."""
        server = iss.rstrip("/")
        if self._is_embedded(server):
            return DEV_CLIENT_ID
        for client in self._trusted or ():
            if client.smart_client_id and any(
                _under(server, allowed) for allowed in client.fhir_servers
            ):
                return client.smart_client_id
        return None

    async def begin_ehr_launch(self, iss: str, launch: str) -> tuple[str, str]:
        """(session id, authorization URL) for ``/smart/launch?iss&launch``."""
        if not iss or not launch:
            raise SmartRefused("launch-parameters-missing", 400)
        return await self._begin(iss, launch=launch, ref=None, scope=EHR_SCOPE)

    async def begin_standalone(self, ref: str) -> tuple[str, str]:
        """(session id, authorization URL) for a card's link: authorize at its FHIR server.
        An expired link may start a fresh launch: the token decides what is shown."""
        opened = self._links.open(ref) or self._links.expired_patient(ref)
        if opened is None:
            raise SmartRefused("invalid-link", 404)
        iss = opened.fhir_server or self._embedded
        # The embedded development server has no patient picker: like the SMART launcher's
        # pre-selected patient, the standalone request names the link's patient itself.
        launch = launch_value(opened.patient_id) if self._is_embedded(iss) else None
        return await self._begin(iss, launch=launch, ref=ref, scope=STANDALONE_SCOPE)

    def _is_embedded(self, iss: str) -> bool:
        return self._settings.serves_embedded_fhir and iss.rstrip("/") == self._embedded

    async def _begin(
        self, iss: str, *, launch: str | None, ref: str | None, scope: str
    ) -> tuple[str, str]:
        client_id = self.client_id_for(iss)
        if client_id is None:
            raise SmartRefused("iss-not-trusted", 403)
        endpoints = await self._discover(iss)
        state, verifier = secrets.token_urlsafe(32), new_code_verifier()
        url = authorization_url(
            endpoints,
            client_id=client_id,
            redirect_uri=self.redirect_uri,
            scope=scope,
            state=state,
            code_verifier=verifier,
            aud=iss,
            launch=launch,
        )
        session_id = self.sessions.add(
            _Pending(
                state=state,
                code_verifier=verifier,
                iss=iss,
                client_id=client_id,
                token_endpoint=endpoints.token,
                ref=ref,
                expires_at=self._clock() + SESSION_SECONDS,
            )
        )
        return session_id, url

    async def _discover(self, iss: str) -> SmartEndpoints:
        try:
            return await discover(iss, self._settings.fhir_timeout_seconds)
        except SmartProtocolError as error:
            raise SmartRefused(error.reason, 502) from None

    async def finish(
        self, session_id: str | None, *, state: str, code: str, error: str = ""
    ) -> SmartSuccess:
        """The callback: check the session and ``state``, exchange the code, check the
        token's patient against the link's."""
        pending = self.sessions.take(session_id)
        if pending is None:
            raise SmartRefused("session-expired", 400)
        if not state or not secrets.compare_digest(state, pending.state):
            raise SmartRefused("state-mismatch", 400)
        if error or not code:
            raise SmartRefused("authorization-denied", 403)
        try:
            grant = await exchange_code(
                SmartEndpoints(authorize="", token=pending.token_endpoint),
                client_id=pending.client_id,
                redirect_uri=self.redirect_uri,
                code=code,
                code_verifier=pending.code_verifier,
                timeout=self._settings.fhir_timeout_seconds,
            )
        except SmartProtocolError as failure:
            raise SmartRefused(failure.reason, 502) from None
        ref = pending.ref or grant.app_context
        opened = self._links.open(ref) if ref else None
        if opened is None and pending.ref is not None:
            opened = self._links.expired_patient(pending.ref)  # a fresh launch of an old link
        if opened is None:
            raise SmartRefused("invalid-link", 404)
        if (opened.fhir_server or self._embedded).rstrip("/") != pending.iss.rstrip("/"):
            raise SmartRefused("server-mismatch", 403)
        if grant.patient is None or grant.patient != opened.patient_id:
            raise SmartRefused("patient-mismatch", 403)
        return SmartSuccess(opened=opened, fhir_server=pending.iss, access_token=grant.access_token)


def _under(server: str, allowed: str) -> bool:
    allowed = allowed.rstrip("/")
    return server == allowed or server.startswith(allowed + "/")
