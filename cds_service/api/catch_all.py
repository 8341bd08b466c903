"""The last line of defence: any exception becomes a 500 OperationOutcome, logged by type only.

A pure ASGI middleware inside Starlette's ServerErrorMiddleware: the exception stops here, so
no traceback (which may quote request data) reaches the server's log or the caller.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_service.api.logs import get_logger
from cds_service.cdshooks.operation_outcome import operation_outcome

log = get_logger()
_BODY = orjson.dumps(operation_outcome("exception", ["internal error"]))


class CatchAll:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # the boundary: nothing may escape to the server
            log.error("unexpected_error", error_type=type(error).__name__, path=scope.get("path"))
            if started:
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/fhir+json"),
                        (b"content-length", str(len(_BODY)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _BODY})
