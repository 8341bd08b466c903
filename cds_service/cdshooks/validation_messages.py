"""Validation errors as the short lines every face of the service shows.

A line names the field that failed and why (``context.patientId: Field required``), never the
submitted value: the HTTP answers (422/400 OperationOutcome) and ``myositis-cds evaluate``
print the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_MESSAGES = 20


def validation_messages(
    errors: Iterable[Mapping[str, Any]], limit: int | None = MAX_MESSAGES
) -> list[str]:
    """One line per error (pydantic's or FastAPI's ``errors()``), at most ``limit``."""
    lines = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in errors]
    return lines if limit is None else lines[:limit]
