"""Who may read the operations endpoints: one FastAPI dependency, ``require_operations_access``.

Operations endpoints (``/metrics``, reports for the service's operators) are read by
monitoring and by people running the service, not by the EHR, so they are not guarded by the
EHR's JWT but by one shared token, ``CDS_OPERATIONS_TOKEN``:

- token set: the request must carry ``Authorization: Bearer <token>`` (compared in constant
  time); otherwise 401 with ``WWW-Authenticate: Bearer`` and no detail;
- token unset: open in development, refused with 403 in production, so that nothing
  operational is public unless someone chose a token.

Use it on a route or a router::

    @router.get("/reports/feedback", dependencies=[OPERATIONS_ACCESS])
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Request

from cds_service.api.auth import Unauthenticated
from cds_service.api.outcome import RequestProblem
from cds_service.settings import Settings

__all__ = ["OPERATIONS_ACCESS", "require_operations_access"]

_BEARER = "bearer "


def require_operations_access(request: Request) -> None:
    """Let the request through, or raise 401 (wrong or missing token) / 403 (prod, no token
    configured)."""
    settings: Settings = request.app.state.service.settings
    if settings.operations_token is None:
        if settings.is_dev:
            return
        raise RequestProblem(
            403, "forbidden", "operations endpoints need CDS_OPERATIONS_TOKEN in production"
        )
    expected = settings.operations_token.get_secret_value().encode()
    header = request.headers.get("authorization", "")
    if header[: len(_BEARER)].lower() != _BEARER:
        raise Unauthenticated
    presented = header[len(_BEARER) :].strip().encode()
    if not hmac.compare_digest(presented, expected):
        raise Unauthenticated


OPERATIONS_ACCESS = Depends(require_operations_access)
"""``dependencies=[OPERATIONS_ACCESS]`` on a route or router guards it with the token."""
