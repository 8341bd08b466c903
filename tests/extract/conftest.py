from __future__ import annotations

from pathlib import Path

import pytest

from cds_service.terminology import Terminology, load_terminology

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


@pytest.fixture(scope="session")
def terminology() -> Terminology:
    return load_terminology(MAPPINGS)
