"""Write the service's OpenAPI document to docs/openapi.json (``python -m tools.openapi_snapshot``).

The snapshot is committed so that a change of the public interface shows in review; a test
fails when the app's document and the snapshot differ.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cds_service.app import create_app
from cds_service.settings import Environment, Settings

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def current_document() -> dict[str, Any]:
    settings = Settings(env=Environment.DEV, auth_required=False, database_url="sqlite:///:memory:")
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    SNAPSHOT.write_text(render(current_document()), encoding="utf-8")
    sys.stdout.write(f"wrote {SNAPSHOT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
