"""Authentication of every request (discovery, service calls, feedback) by the EHR's JWT.

Any failure answers 401 with no detail; the failed check (and iss, tenant, jti when
readable) goes to the log, never the token. Routes take the caller as the ``Caller``
dependency of ``api/deps.py``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from cds_service.api.logs import get_logger
from cds_service.cdshooks.auth import AuthenticationError, VerifiedCaller
from cds_service.service import CdsService

log = get_logger()


class Unauthenticated(Exception):
    """Answered as 401 with an empty body."""


async def authenticate(request: Request) -> VerifiedCaller | None:
    service: CdsService = request.app.state.service
    if service.verifier is None:
        return None
    # The path exactly as the client sent it (percent-encoding kept): aud names that URL.
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else request.url.path
    audience = service.settings.public_base_url.rstrip("/") + path
    try:
        return await run_in_threadpool(
            service.verifier.verify, request.headers.get("authorization"), audience
        )
    except AuthenticationError as error:
        log.warning(
            "auth_failed",
            check=str(error),
            iss=error.iss,
            tenant=error.tenant,
            jti=error.jti,
            path=request.url.path,
        )
        raise Unauthenticated from None
