"""The OpenAPI document: every field described, and the committed snapshot up to date."""

from __future__ import annotations

from typing import Any

from tools.openapi_snapshot import SNAPSHOT, current_document, render


def undescribed(document: dict[str, Any]) -> list[str]:
    missing = [
        f"{name}.{prop}"
        for name, schema in document["components"]["schemas"].items()
        for prop, spec in schema.get("properties", {}).items()
        if "description" not in spec
    ]
    missing += [
        f"{path} {parameter['name']}"
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if "description" not in parameter
    ]
    return missing


def test_every_field_and_parameter_is_described() -> None:
    assert undescribed(current_document()) == []


def test_service_endpoints_document_their_bodies_and_errors() -> None:
    paths = current_document()["paths"]
    call = paths["/cds-services/{service_id}"]["post"]
    assert call["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CdsRequest"
    )
    assert {"200", "400", "401", "404", "412", "413", "422"} <= set(call["responses"])


def test_the_committed_snapshot_is_current() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8") == render(current_document()), (
        "the OpenAPI document changed: run python -m tools.openapi_snapshot and review the diff"
    )
