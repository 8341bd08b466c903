"""What CDS clients send to a service: the request body (§Calling a CDS Service) and the
hook contexts of patient-view, order-select and order-sign (CDS Hooks library of hooks 1.0.1,
docs/conformance.md §1.9).

Lenient where the spec lets clients vary (unknown members are kept, ``selections`` may be
absent), strict where a wrong value would mislead the service or reach a FHIR URL: ids that
are substituted into prefetch queries must be plain FHIR ids or ``Type/id`` references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cds_service.cdshooks.models.base import (
    AbsoluteUrl,
    Extension,
    InboundModel,
    NonEmptyStr,
    RelativeReference,
    UuidStr,
)

__all__ = [
    "HOOK_CONTEXTS",
    "AnyHookContext",
    "CdsRequest",
    "FhirAuthorization",
    "FhirId",
    "HookContext",
    "OrderSelectContext",
    "OrderSignContext",
    "PatientViewContext",
    "UnsupportedHookError",
    "validate_context",
]

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,256}$")


def _fhir_id(value: str) -> str:
    # FHIR R4 caps ids at 64 characters; some EHRs exceed it, so only the alphabet is held.
    if not _FHIR_ID.fullmatch(value) or not value.strip("."):  # "." and ".." climb URLs
        raise PydanticCustomError(
            "fhir_id", "must be a FHIR logical id (letters, digits, '-' and '.', at most 256)"
        )
    return value


def _bearer(value: Any) -> Any:
    return "Bearer" if isinstance(value, str) and value.lower() == "bearer" else value


def _non_empty_secret(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().strip():
        raise PydanticCustomError("blank_string", "must not be empty or only whitespace")
    return value


FhirId = Annotated[str, AfterValidator(_fhir_id)]
"""A FHIR logical id, safe to substitute into a prefetch query."""


class FhirAuthorization(InboundModel):
    """The OAuth 2.0 bearer token the client lends the service (§Passing the Access Token).

    ``access_token`` is a ``SecretStr``: it never shows in ``repr``, logs or dumps; read it
    with ``.get_secret_value()`` only to call ``fhirServer``.
    """

    access_token: Annotated[SecretStr, AfterValidator(_non_empty_secret)] = Field(
        description="OAuth 2.0 access token for the FHIR server (transient)."
    )
    token_type: Annotated[Literal["Bearer"], BeforeValidator(_bearer)] = Field(
        description="Fixed value `Bearer` (matched case-insensitively, as OAuth 2.0 does)."
    )
    expires_in: Annotated[int, Field(strict=True, ge=0)] = Field(
        description="Lifetime of the access token in seconds."
    )
    scope: NonEmptyStr = Field(description="SMART scopes granted to the service.")
    subject: NonEmptyStr = Field(description="OAuth 2.0 client id of the CDS service.")
    patient: FhirId | None = Field(
        default=None,
        description="FHIR id of the patient the token is limited to (SHOULD with patient/ scopes).",
    )


class CdsRequest(InboundModel):
    """The body of ``POST {baseUrl}/cds-services/{id}`` (§HTTP Request)."""

    hook: NonEmptyStr = Field(description="The hook that triggered the call, e.g. `patient-view`.")
    hookInstance: UuidStr = Field(description="UUID of this hook invocation.")
    fhirServer: AbsoluteUrl | None = Field(
        default=None,
        description="Base URL of the client's FHIR server; REQUIRED with `fhirAuthorization`.",
    )
    fhirAuthorization: FhirAuthorization | None = Field(
        default=None, description="Bearer token for calls to `fhirServer`."
    )
    context: dict[str, Any] = Field(description="Hook-specific context (see `validate_context`).")
    prefetch: dict[str, Any | None] | None = Field(
        default=None,
        description="Prefetch key -> FHIR resource or searchset Bundle; `null` means no data.",
    )
    extension: Extension | None = Field(
        default=None, description="Reserved for extensions: a JSON object."
    )

    @model_validator(mode="after")
    def _server_with_authorization(self) -> Self:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise PydanticCustomError(
                "cds-r-1", "fhirServer is REQUIRED when fhirAuthorization is provided (cds-r-1)"
            )
        return self


class HookContext(InboundModel):
    """Fields every supported hook shares (userId, patientId, encounterId)."""

    userId: RelativeReference = Field(
        description="The current user as `Type/id`, e.g. `Practitioner/123` (ord-1)."
    )
    patientId: FhirId = Field(description="FHIR id of the patient in context.")
    encounterId: FhirId | None = Field(
        default=None, description="FHIR id of the encounter in context."
    )


class PatientViewContext(HookContext):
    """``patient-view``: the user opened a patient's record."""


class _DraftOrdersContext(HookContext):
    draftOrders: dict[str, Any] = Field(
        description="Bundle of the unsigned orders of the ordering session."
    )

    @field_validator("draftOrders")
    @classmethod
    def _is_bundle(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("resourceType") != "Bundle":
            raise PydanticCustomError("bundle", "draftOrders must be a FHIR Bundle")
        if not isinstance(value.get("entry", []), list):
            raise PydanticCustomError("bundle", "draftOrders.entry must be an array")
        return value

    def draft_resources(self) -> list[dict[str, Any]]:
        """The resources of ``draftOrders`` (entries without a resource object are skipped)."""
        resources: list[dict[str, Any]] = []
        for entry in self.draftOrders.get("entry", []):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict):
                resources.append(resource)
        return resources


class OrderSignContext(_DraftOrdersContext):
    """``order-sign``: the user is about to sign ``draftOrders`` (any status)."""


class OrderSelectContext(_DraftOrdersContext):
    """``order-select``: the user selected new orders (``selections``) among ``draftOrders``."""

    selections: list[RelativeReference] | None = Field(
        default=None,
        description=(
            "`Type/id` of the newly selected orders in `draftOrders`; when absent, every draft "
            "order counts as selected."
        ),
    )

    def selected_resources(self) -> list[dict[str, Any]]:
        """The draft orders named in ``selections`` (all of them when it is absent)."""
        resources = self.draft_resources()
        if self.selections is None:
            return resources
        wanted = set(self.selections)
        return [r for r in resources if f"{r.get('resourceType')}/{r.get('id')}" in wanted]


AnyHookContext = PatientViewContext | OrderSelectContext | OrderSignContext

HOOK_CONTEXTS: Mapping[str, type[AnyHookContext]] = MappingProxyType(
    {
        "patient-view": PatientViewContext,
        "order-select": OrderSelectContext,
        "order-sign": OrderSignContext,
    }
)
"""The hooks whose context this service understands, and their models."""

ContextT = TypeVar("ContextT", bound=HookContext)


class _Envelope(BaseModel, Generic[ContextT]):
    """Validates a context under the key ``context`` so that error locations read
    ``context.patientId`` rather than ``patientId``."""

    context: ContextT


_ENVELOPES: Mapping[str, type[_Envelope[Any]]] = MappingProxyType(
    {
        "patient-view": _Envelope[PatientViewContext],
        "order-select": _Envelope[OrderSelectContext],
        "order-sign": _Envelope[OrderSignContext],
    }
)


class UnsupportedHookError(ValueError):
    """The request names a hook this service has no context model for."""

    def __init__(self, hook: str) -> None:
        super().__init__(f"hook '{hook}' is not supported; supported: {', '.join(HOOK_CONTEXTS)}")
        self.hook = hook


def validate_context(request: CdsRequest) -> AnyHookContext:
    """The request's ``context`` validated against the model of its ``hook``.

    Raises ``pydantic.ValidationError`` (locations start with ``context``) when the context
    breaks the hook's rules, ``UnsupportedHookError`` when the hook is not one we serve.
    """
    envelope = _ENVELOPES.get(request.hook)
    if envelope is None:
        raise UnsupportedHookError(request.hook)
    context: AnyHookContext = envelope.model_validate({"context": request.context}).context
    return context
