"""The server's edges: how long a client may take to send its headers, and how many and how
large they may be. uvicorn has no option for either with httptools (llhttp buffers headers of
any size, and a connection that never finishes its headers is never timed out), so this is
uvicorn's httptools protocol with three checks added:

- **header read timeout**: from the connection's first byte (or the next request's first byte
  on a keep-alive connection) to the end of its headers, at most ``header_timeout_seconds``;
  then ``408`` (if anything was sent) and the connection is closed. Slowloris clients that
  send a byte now and then are cut off all the same: the clock is not reset by data;
- **header size**: request line + header names and values above ``max_header_bytes`` -> ``431``
  and close; the bytes buffered while headers are incomplete are bounded by the same figure
  (plus one read);
- **header count**: more than ``max_header_count`` header fields -> ``431`` and close.

The idle time between keep-alive requests is uvicorn's own ``timeout_keep_alive``; the time to
read the body and answer is ``RequestDeadline`` (``cds_service/api/request_deadline.py``).
``myositis-cds serve`` names this class as uvicorn's ``http`` protocol; every worker process
reads its limits from the settings when it imports the app (``cds_service/asgi.py``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cds_service.cdshooks.operation_outcome import operation_outcome
from cds_service.settings import Settings

LINGER_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    header_timeout_seconds: float = 5.0
    max_header_bytes: int = 32_768
    max_header_count: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> EdgeLimits:
        return cls(
            header_timeout_seconds=settings.header_timeout_seconds,
            max_header_bytes=settings.max_header_bytes,
            max_header_count=settings.max_header_count,
        )


class HeaderLimitExceeded(Exception):
    """Raised from a parser callback to stop reading a request whose headers are too large."""


def _refusal(status: int, reason: str, diagnostics: str) -> bytes:
    body = orjson.dumps(
        operation_outcome("too-long" if status == 431 else "timeout", [diagnostics])
    )
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: application/fhir+json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class HardenedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header read timeout and header size/count limits."""

    limits: ClassVar[EdgeLimits] = EdgeLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._reading_head = False
        self._head_received = 0  # raw bytes received while this request's head is incomplete
        self._header_bytes = 0  # request line + names + values, as parsed
        self._header_count = 0
        self._refused = False
        self._limit_problem: str | None = None

    # --- the head of each request ------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._begin_head()  # a connection that never sends a byte is timed out too

    def _begin_head(self) -> None:
        self._reading_head = True
        self._head_received = 0
        self._header_bytes = 0
        self._header_count = 0
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(
                self.limits.header_timeout_seconds, self._head_timed_out
            )

    def _end_head(self) -> None:
        self._reading_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._reading_head:  # the next request on a keep-alive connection
            self._begin_head()

    def on_url(self, url: bytes) -> None:
        self._count(len(url), headers=0)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value), headers=1)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._end_head()
        super().on_headers_complete()

    def _count(self, size: int, *, headers: int) -> None:
        self._header_bytes += size
        self._header_count += headers
        limits = self.limits
        problem = None
        if self._header_bytes > limits.max_header_bytes:
            problem = f"request headers larger than {limits.max_header_bytes} bytes"
        elif self._header_count > limits.max_header_count:
            problem = f"more than {limits.max_header_count} request headers"
        if problem is not None:
            self._limit_problem = problem  # httptools re-raises this as a parser error
            raise HeaderLimitExceeded(problem)

    # --- bytes in ----------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._reading_head:
            self._head_received += len(data)
        try:
            super().data_received(data)
        except HeaderLimitExceeded as exceeded:
            self._refuse_headers(str(exceeded))
            return
        if self._refused:
            return
        if self._reading_head and self._head_received > self.limits.max_header_bytes:
            # Headers still incomplete (one huge line): stop buffering them.
            self._refuse_headers(
                f"request headers larger than {self.limits.max_header_bytes} bytes"
            )

    def send_400_response(self, msg: str) -> None:
        if self._limit_problem is not None:  # httptools wrapped our callback's exception
            self._refuse_headers(self._limit_problem)
            return
        super().send_400_response(msg)

    # --- refusals ----------------------------------------------------------------------------

    def _refuse_headers(self, diagnostics: str) -> None:
        self._close_with(_refusal(431, "Request Header Fields Too Large", diagnostics))

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._reading_head or self.transport.is_closing():
            return
        if self._head_received or self._header_bytes:
            timeout = self.limits.header_timeout_seconds
            message = f"request headers not received within {timeout:g} s"
            self._close_with(_refusal(408, "Request Timeout", message))
        else:
            self._close_with(b"")

    def _close_with(self, answer: bytes) -> None:
        """Answer, then close gently: stop sending (FIN) and throw away what the client is
        still sending for up to ``LINGER_SECONDS``. Closing at once with unread data would
        reset the connection, and the client could lose the answer before reading it."""
        self._refused = True
        self._end_head()
        transport = self.transport
        if transport.is_closing():
            return
        if answer:
            transport.write(answer)
        if not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, transport.close)

    def eof_received(self) -> None:
        if self._refused:
            self.transport.close()  # the client has finished sending: close now

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        super().connection_lost(exc)


def protocol_for(settings: Settings) -> type[HardenedHttpToolsProtocol]:
    """The protocol class with these settings' limits, for a server run in this process (tests
    serve several apps with different settings; ``serve`` uses ``configure_edges``)."""
    limits = EdgeLimits.from_settings(settings)
    return type("ConfiguredHttpToolsProtocol", (HardenedHttpToolsProtocol,), {"limits": limits})


def configure_edges(settings: Settings) -> None:
    """Set the limits every connection of this process uses (called once per worker)."""
    HardenedHttpToolsProtocol.limits = EdgeLimits.from_settings(settings)
