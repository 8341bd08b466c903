"""The cards every fixture scenario gets from the running app (read once per test session)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from tests.app_client import app_client
from tests.scenario_files import load_scenarios

Card = dict[str, Any]


@lru_cache(maxsize=1)
def scenario_cards() -> tuple[tuple[str, Card], ...]:
    """(scenario name, card) for every card of every scenario, through the HTTP API."""
    found: list[tuple[str, Card]] = []
    with TemporaryDirectory() as tmp, app_client(Path(tmp)) as client:
        for loaded in load_scenarios():
            response = client.post(
                f"/cds-services/{loaded.expected['service']}", json=loaded.request
            )
            assert response.status_code == 200, response.text
            found.extend((loaded.name, card) for card in response.json()["cards"])
    return tuple(found)
