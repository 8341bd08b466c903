"""The server's edges, with raw sockets against the real server (uvicorn + the hardened
protocol of `myositis-cds serve`): slow or half-open headers are closed, oversized headers and
too many headers are refused with 431, idle keep-alive connections and slow bodies end."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.live_server import LiveServer, live_server

HEADER_TIMEOUT = 1.0
KEEP_ALIVE = 1
REQUEST_TIMEOUT = 2.0
WAIT = 8.0  # far beyond every timeout above: a socket still open then is a failure


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db: Path = tmp_path_factory.mktemp("edges") / "feedback.sqlite3"
    with live_server(
        database_url=f"sqlite:///{db}",
        header_timeout_seconds=HEADER_TIMEOUT,
        keep_alive_timeout_seconds=KEEP_ALIVE,
        request_timeout_seconds=REQUEST_TIMEOUT,
    ) as running:
        yield running


def connect(server: LiveServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=WAIT)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (socket.timeout if it never does)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def send_quietly(sock: socket.socket, data: bytes) -> None:
    """Send, ignoring a reset: the server may close as soon as it has seen enough."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def outcome_of(answer: bytes) -> dict[str, object]:
    body: dict[str, object] = orjson.loads(answer.split(b"\r\n\r\n", 1)[1])
    return body


def head(*headers: str, target: str = "/healthz") -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_normal_request_and_keep_alive_still_work(server: LiveServer) -> None:
    with connect(server) as sock:
        for _ in range(2):  # the second request re-arms the header clock
            sock.sendall(head())
            answer = sock.recv(65536)
            assert status_of(answer) == 200
        started = time.monotonic()
        assert read_until_closed(sock) == b""  # idle keep-alive connection closed
        assert time.monotonic() - started < WAIT


def test_slow_headers_are_answered_408_and_closed(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        answer = b""
        for _ in range(int(WAIT / 0.2)):  # a byte every 200 ms never resets the clock
            try:
                sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.2)
            sock.setblocking(False)
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
            if answer:
                break
        elapsed = time.monotonic() - started
    assert status_of(answer) == 408
    assert b"connection: close" in answer.lower()
    assert HEADER_TIMEOUT - 0.5 <= elapsed < HEADER_TIMEOUT + 3  # not reset by the trickle


def test_two_hundred_half_open_connections_are_closed(server: LiveServer) -> None:
    sockets = [connect(server) for _ in range(200)]
    try:
        for index, sock in enumerate(sockets):
            if index % 2:  # half send part of a request line; half send nothing at all
                sock.sendall(b"POST /cds-services/myositis-refractory-patient-view HTTP/1.1\r\n")
        started = time.monotonic()
        answers = [read_until_closed(sock) for sock in sockets]  # socket.timeout fails it
        elapsed = time.monotonic() - started
    finally:
        for sock in sockets:
            sock.close()
    assert elapsed < HEADER_TIMEOUT + 5
    assert all(a == b"" for a in answers[0::2])  # silent ones: closed without an answer
    assert all(status_of(a) == 408 for a in answers[1::2])


@pytest.mark.parametrize("size", [40_000, 1_600_000])
def test_oversized_headers_are_refused_with_431(server: LiveServer, size: int) -> None:
    with connect(server) as sock:
        send_quietly(sock, head(f"X-Big: {'a' * size}"))
        answer = read_until_closed(sock)
    assert status_of(answer) == 431
    assert outcome_of(answer)["resourceType"] == "OperationOutcome"


def test_too_many_headers_are_refused_with_431(server: LiveServer) -> None:
    with connect(server) as sock:
        send_quietly(sock, head(*(f"X-H{i}: v" for i in range(101))))
        answer = read_until_closed(sock)
    assert status_of(answer) == 431
    assert "more than 100" in answer.decode()


def test_headers_at_the_limits_are_accepted(server: LiveServer) -> None:
    settings = server.settings
    with connect(server) as sock:  # Host + 99 = 100 headers
        sock.sendall(head(*(f"X-H{i}: v" for i in range(settings.max_header_count - 1))))
        assert status_of(sock.recv(65536)) == 200
    with connect(server) as sock:
        sock.sendall(head(f"X-Big: {'a' * (settings.max_header_bytes - 200)}"))
        assert status_of(sock.recv(65536)) == 200


def test_a_body_that_never_arrives_is_answered_408(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"POST /cds-services/myositis-refractory-patient-view HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            b'{"hook": '
        )
        started = time.monotonic()
        answer = read_until_closed(sock)
        elapsed = time.monotonic() - started
    assert status_of(answer) == 408
    assert outcome_of(answer)["resourceType"] == "OperationOutcome"
    assert REQUEST_TIMEOUT - 0.5 <= elapsed < REQUEST_TIMEOUT + 3


def test_serve_names_the_hardened_protocol() -> None:
    from uvicorn.importer import import_from_string

    from cds_service.api.http_edges import HardenedHttpToolsProtocol
    from cds_service.cli import HTTP_PROTOCOL

    assert import_from_string(HTTP_PROTOCOL) is HardenedHttpToolsProtocol


@pytest.mark.slow
def test_myositis_cds_serve_has_the_edges_in_every_worker() -> None:
    """The real command (two worker processes): limits read from the settings in each."""
    from bench.server import ServerProcess

    env = {"CDS_MAX_HEADER_BYTES": "8192", "CDS_HEADER_TIMEOUT_SECONDS": "1"}
    with ServerProcess(env_overrides=env, workers=2) as served:
        for _ in range(4):  # new connections, spread over the workers by the kernel
            with socket.create_connection(("127.0.0.1", served.port), timeout=WAIT) as sock:
                send_quietly(sock, head(f"X-Big: {'a' * 9000}"))
                assert status_of(read_until_closed(sock)) == 431
        with socket.create_connection(("127.0.0.1", served.port), timeout=WAIT) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            started = time.monotonic()
            assert status_of(read_until_closed(sock)) == 408
            assert time.monotonic() - started < 1 + 3
