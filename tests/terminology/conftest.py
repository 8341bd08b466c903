from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    """A temporary copy of the real tables, free to break."""
    target = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, target)
    return target
