"""Terminology layer: validated code tables (``mappings/``) and lookups onto engine concepts.

Imports only the standard library and ``cds_service.engine`` (the layer rule of
``pyproject.toml``'s import-linter contracts).
"""

from __future__ import annotations

from pathlib import Path

from cds_service.terminology.model import AgentInfo, OrderCode, Terminology, TerminologyError
from cds_service.terminology.validation import validate

__all__ = [
    "DEFAULT_MAPPINGS_DIR",
    "AgentInfo",
    "OrderCode",
    "Terminology",
    "TerminologyError",
    "check_mappings",
    "load_terminology",
]

DEFAULT_MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "mappings"


def load_terminology(mappings_dir: Path) -> Terminology:
    """Load and validate the tables; raises ``TerminologyError`` listing every problem."""
    terminology, problems = validate(Path(mappings_dir))
    if terminology is None:
        raise TerminologyError(problems or ["terminology could not be built"])
    return terminology


def check_mappings(mappings_dir: Path) -> list[str]:
    """Every problem in the tables (empty when they are fit to load)."""
    return validate(Path(mappings_dir))[1]
