"""Building blocks shared by the CDS Hooks 2.0.1 wire models: base classes, constrained
string types, ``Coding`` and the ``to_wire`` serialiser.

Two base classes carry the one policy difference between directions (docs/conformance.md §1.1):

* ``InboundModel`` (requests, contexts, feedback): unknown keys are kept (``extra="allow"``),
  because the spec reserves ``extension`` and clients add fields we need not understand.
* ``WireModel`` (everything we send): unknown keys are refused (``extra="forbid"``), so a typo
  in a card builder fails in tests instead of reaching an EHR.

Field names are the spec's own JSON names (``isRecommended``, ``selectionBehavior``, ...), so
there are no aliases to forget when dumping.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

__all__ = [
    "AbsoluteUrl",
    "Coding",
    "Extension",
    "InboundModel",
    "NonEmptyStr",
    "RelativeReference",
    "UuidStr",
    "WireModel",
    "ensure_non_blank",
    "is_absolute_url",
    "to_wire",
]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# ord-1 ([L-HEAD] input/fsh/invariants/ord-1.fsh): ``^[\d\w]+\/[\d\w-.]+$``, read as ASCII.
_RELATIVE_REFERENCE = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_.\-]+$")


def ensure_non_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_string", "must not be empty or only whitespace")
    return value


def _uuid(value: str) -> str:
    if not _UUID.fullmatch(value):
        raise PydanticCustomError(
            "uuid", "must be a UUID in 8-4-4-4-12 hex form, without a 'urn:uuid:' prefix"
        )
    return value


def is_absolute_url(value: str) -> bool:
    """Whether ``value`` is an absolute ``http``/``https`` URL with a host and no whitespace."""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    has_space = any(char.isspace() for char in value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not has_space


def ensure_absolute_url(value: str) -> str:
    if not is_absolute_url(value):
        raise PydanticCustomError("absolute_url", "must be an absolute http(s) URL")
    return value


def _relative_reference(value: str) -> str:
    if not _RELATIVE_REFERENCE.fullmatch(value):
        raise PydanticCustomError(
            "ord-1", "must be a relative FHIR reference of the form 'Type/id' (ord-1)"
        )
    return value


NonEmptyStr = Annotated[str, AfterValidator(ensure_non_blank)]
"""A string with at least one non-whitespace character (the spec forbids ``""``)."""

UuidStr = Annotated[str, AfterValidator(_uuid)]
"""A UUID kept as its string form, e.g. ``d1577c69-dfbe-44ad-ba6d-3e05e953b2ea``."""

AbsoluteUrl = Annotated[
    str, StringConstraints(max_length=4096), AfterValidator(ensure_absolute_url)
]
"""An absolute ``http``/``https`` URL, kept verbatim (no trailing slash is added)."""

RelativeReference = Annotated[str, AfterValidator(_relative_reference)]
"""A relative FHIR reference ``Type/id`` (invariant ord-1)."""

Extension = dict[str, Any]
"""The reserved ``extension`` member: a JSON object (docs/conformance.md §1.1, [R214])."""


class InboundModel(BaseModel):
    """Base of what CDS clients send us: unknown members are accepted and kept."""

    model_config = ConfigDict(extra="allow")


class WireModel(BaseModel):
    """Base of what we send: unknown members are an error. Serialise with ``to_wire``."""

    model_config = ConfigDict(extra="forbid")


class Coding(WireModel):
    """CDS Hooks ``Coding`` (§Coding): a trimmed FHIR Coding."""

    code: NonEmptyStr = Field(description="The code for what is being represented.")
    system: NonEmptyStr = Field(description="The code system for this `code`.")
    display: NonEmptyStr | None = Field(
        default=None,
        description=(
            "A short, human-readable label. REQUIRED for override reasons, OPTIONAL for "
            "`source.topic`."
        ),
    )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _prune_json(value: Any) -> Any:
    """Drop ``null`` and empty members of JSON objects, recursively (lists keep positions)."""
    if isinstance(value, dict):
        pruned = {key: _prune_json(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if not _is_empty(item)}
    if isinstance(value, list):
        return [_prune_json(item) for item in value]
    return value


def _prune_model(model: BaseModel, data: dict[str, Any]) -> dict[str, Any]:
    fields = type(model).model_fields
    out: dict[str, Any] = {}
    for key, item in data.items():
        field = fields.get(key)
        pruned = _prune_value(getattr(model, key, None) if field else None, item)
        if _is_empty(pruned) and (field is None or not field.is_required()):
            continue
        out[key] = pruned
    return out


def _prune_value(source: Any, value: Any) -> Any:
    if isinstance(source, BaseModel) and isinstance(value, dict):
        return _prune_model(source, value)
    if isinstance(value, list):
        sources = source if isinstance(source, list) and len(source) == len(value) else None
        return [
            _prune_value(sources[i] if sources is not None else None, item)
            for i, item in enumerate(value)
        ]
    return _prune_json(value)


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The JSON object to send for ``model`` (docs/conformance.md §1.1, [R3]).

    No member is ``null``, ``""``, ``[]`` or ``{}`` unless the model declares it REQUIRED:
    ``{"cards": []}`` and ``{"services": []}`` keep their empty arrays, every optional member
    without a value is omitted. Embedded FHIR resources are pruned the same way (FHIR JSON
    forbids empty values too); list positions are never removed.
    """
    return _prune_model(model, model.model_dump(mode="json", exclude_none=True))
