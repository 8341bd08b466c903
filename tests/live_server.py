"""A real uvicorn server on a loopback port, in a thread, for end-to-end tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from cds_service.api.http_edges import protocol_for
from cds_service.app import create_app
from cds_service.settings import Settings
from cds_service.storage import upgrade_database


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    settings: Settings
    app: FastAPI | None = None


@contextmanager
def live_server(**overrides: object) -> Iterator[LiveServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    values: dict[str, object] = {
        "env": "dev",
        "auth_required": False,
        "public_base_url": base_url,
        "today": "2026-11-15",
    }
    values.update(overrides)
    settings = Settings.model_validate(values)
    upgrade_database(settings.database_url)  # as `serve` does before the app starts
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        http=protocol_for(settings),  # the edges `myositis-cds serve` has (api/http_edges.py)
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(base_url=base_url, settings=settings, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
