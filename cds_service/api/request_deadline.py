"""A deadline for each request once its headers are in: reading the body and answering.

A client that announces a body and sends it slowly would otherwise hold a worker's slot (and
an admission slot) for as long as it likes. Past ``CDS_REQUEST_TIMEOUT_SECONDS`` the request
is abandoned: ``408`` when its body had not arrived, ``503`` when the service itself was too
slow; both with an OperationOutcome and ``Connection: close``. A response already started is
cut off instead (the connection is closed mid-answer, which the client sees as an error).
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_service.api.logs import get_logger
from cds_service.cdshooks.operation_outcome import operation_outcome

log = get_logger()


def _answer(status: int, diagnostics: str) -> tuple[Message, Message]:
    body = orjson.dumps(operation_outcome("timeout", [diagnostics]))
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/fhir+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class RequestDeadline:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_complete = False
        response_started = False

        async def tracking_receive() -> Message:
            nonlocal body_complete
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_complete = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        deadline = asyncio.timeout(self.seconds)
        try:
            async with deadline:
                await self.app(scope, tracking_receive, tracking_send)
        except TimeoutError:
            if not deadline.expired() or response_started:
                raise  # not ours, or too late to answer: the catch-all and the server handle it
            status = 503 if body_complete else 408
            log.warning("request_timeout", status=status, path=scope.get("path"))
            what = (
                "the service did not answer" if body_complete else "the request body did not arrive"
            )
            for message in _answer(status, f"{what} within {self.seconds:g} s"):
                await send(message)
