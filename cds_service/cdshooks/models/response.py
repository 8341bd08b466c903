"""What the service sends: discovery (§Discovery) and the service response (§CDS Service
Response, §Card Attributes ... §Coding), with the spec's invariants as validators.

Invariant ids are those of the CDS Hooks logical models (HL7/cds-hooks
``input/fsh/invariants``); each failure is a ``PydanticCustomError`` whose ``type`` is that
id, so tests and OperationOutcome diagnostics can name the rule.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from cds_service.cdshooks.models.base import (
    AbsoluteUrl,
    Coding,
    Extension,
    NonEmptyStr,
    RelativeReference,
    UuidStr,
    WireModel,
    ensure_non_blank,
    is_absolute_url,
)

__all__ = [
    "SUMMARY_MAX_LENGTH",
    "Action",
    "ActionType",
    "Card",
    "CdsResponse",
    "DiscoveryResponse",
    "Indicator",
    "Link",
    "LinkType",
    "OverrideReasonCoding",
    "SelectionBehavior",
    "ServiceDefinition",
    "Source",
    "Suggestion",
    "SystemAction",
]

SUMMARY_MAX_LENGTH = 139
"""``card.summary`` is a "<140-character" sentence (§Card Attributes, [R83])."""

Indicator = Literal["info", "warning", "critical"]
SelectionBehavior = Literal["at-most-one", "any"]
ActionType = Literal["create", "update", "delete"]
LinkType = Literal["absolute", "smart"]

_SERVICE_ID = re.compile(r"^[A-Za-z0-9._~-]+$")


def _service_id(value: str) -> str:
    if not _SERVICE_ID.fullmatch(value):
        raise PydanticCustomError(
            "service_id", "must be a URL path segment of letters, digits and '.', '_', '~', '-'"
        )
    return value


Summary = Annotated[
    str,
    StringConstraints(min_length=1, max_length=SUMMARY_MAX_LENGTH),
    AfterValidator(ensure_non_blank),
]
StrictBool = Annotated[bool, Field(strict=True)]
FhirResource = dict[str, Any]


class Source(WireModel):
    """The primary source of guidance for a card (§Source)."""

    label: NonEmptyStr = Field(description="Short, human-readable label for the source.")
    url: AbsoluteUrl | None = Field(
        default=None,
        description="Absolute URL about the organisation or data set behind the card.",
    )
    icon: AbsoluteUrl | None = Field(
        default=None,
        description="Absolute URL of the source's icon (SHOULD be a 100x100 opaque PNG).",
    )
    topic: Coding | None = Field(
        default=None, description="High-level categorisation of the card's content."
    )


class OverrideReasonCoding(Coding):
    """A Coding offered in ``card.overrideReasons``: ``display`` is REQUIRED (cds-resp-4)."""

    display: NonEmptyStr = Field(description="Human-readable reason shown to the clinician.")


class _ActionBase(WireModel):
    type: ActionType = Field(description="The type of action: `create`, `update` or `delete`.")
    resource: FhirResource | None = Field(
        default=None,
        description=(
            "A FHIR resource: the new resource for `create`, the whole updated resource for "
            "`update`."
        ),
    )
    resourceId: RelativeReference | None = Field(
        default=None,
        description="Relative reference (`Type/id`) to the resource; SHOULD be given for `delete`.",
    )

    @model_validator(mode="after")
    def _resource_matches_type(self) -> Self:
        if self.resource is not None:
            resource_type = self.resource.get("resourceType")
            if not isinstance(resource_type, str) or not resource_type:
                raise PydanticCustomError(
                    "fhir_resource", "action.resource must be a FHIR resource with a resourceType"
                )
        if self.type in ("create", "update") and not self.resource:
            raise PydanticCustomError(
                "action_resource",
                "a '{type}' action SHALL carry the FHIR resource in `resource`",
                {"type": self.type},
            )
        if self.type == "delete" and self.resourceId is None and not self.resource:
            raise PydanticCustomError(
                "cds-resp-2", "a 'delete' action needs `resourceId` (or, deprecated, `resource`)"
            )
        return self


class Action(_ActionBase):
    """A suggested action (§Action); its actions are AND-ed within a suggestion."""

    description: NonEmptyStr = Field(
        description="Human-readable description of the action, MAY be shown (cds-resp-5)."
    )


class SystemAction(_ActionBase):
    """An action proposed for auto-apply (§System Action): an Action whose ``description`` is
    optional, as in the spec's own 2.0.1 example (made explicit in 3.0)."""

    description: NonEmptyStr | None = Field(
        default=None, description="Human-readable description of the action."
    )


class Suggestion(WireModel):
    """A set of actions the user may accept (§Suggestion)."""

    label: NonEmptyStr = Field(description="Text for the button that accepts the suggestion.")
    uuid: UuidStr | None = Field(
        default=None,
        description="Unique identifier, reported back in feedback `acceptedSuggestions`.",
    )
    isRecommended: StrictBool | None = Field(
        default=None, description="Whether this suggestion is the recommended one of the card."
    )
    actions: list[Action] | None = Field(
        default=None, description="Actions, logically AND-ed (processed like a FHIR transaction)."
    )


class Link(WireModel):
    """A link to a web page or a SMART app (§Link)."""

    label: NonEmptyStr = Field(description="Text of the link.")
    url: NonEmptyStr = Field(
        description="URL to load; absolute for `absolute` links, a SMART launch URL for `smart`."
    )
    type: LinkType = Field(description="`absolute` (use as-is) or `smart` (SMART app launch).")
    appContext: NonEmptyStr | None = Field(
        default=None,
        description="Information passed to the launched SMART app; only for `smart` links.",
    )
    autolaunchable: StrictBool | None = Field(
        default=None, description="Hint that the client may launch the link without a click."
    )

    @model_validator(mode="after")
    def _type_rules(self) -> Self:
        if self.type == "absolute":
            if not is_absolute_url(self.url):
                raise PydanticCustomError(
                    "absolute_url", "an 'absolute' link needs an absolute http(s) url"
                )
            if self.appContext is not None:
                raise PydanticCustomError(
                    "cds-resp-3", "appContext is only valid on 'smart' links (cds-resp-3)"
                )
        return self


class Card(WireModel):
    """One piece of decision support (§Card Attributes)."""

    uuid: UuidStr | None = Field(
        default=None,
        description="Unique identifier of the card; SHALL be used in feedback (always set by us).",
    )
    summary: Summary = Field(
        description="One-sentence summary, fewer than 140 characters.",
        examples=["Refractory myositis: consider IVIG as second-line therapy."],
    )
    detail: NonEmptyStr | None = Field(
        default=None, description="Detail in GitHub-Flavored Markdown."
    )
    indicator: Indicator = Field(description="Urgency: `info`, `warning` or `critical`.")
    source: Source = Field(description="The primary source of guidance for this card.")
    suggestions: list[Suggestion] | None = Field(
        default=None, description="Suggested changes; requires `selectionBehavior`."
    )
    selectionBehavior: SelectionBehavior | None = Field(
        default=None,
        description="`at-most-one` or `any`; present exactly when `suggestions` is (cds-resp-6).",
    )
    overrideReasons: list[OverrideReasonCoding] | None = Field(
        default=None, description="Reasons the user may give when dismissing the card."
    )
    links: list[Link] | None = Field(
        default=None, description="Links to apps or pages for more information."
    )

    @model_validator(mode="after")
    def _suggestion_rules(self) -> Self:
        if self.suggestions and self.selectionBehavior is None:
            raise PydanticCustomError(
                "cds-resp-6", "selectionBehavior MUST be provided when suggestions are present"
            )
        if not self.suggestions and self.selectionBehavior is not None:
            raise PydanticCustomError(
                "selection_without_suggestions",
                "selectionBehavior is only meaningful with a non-empty suggestions array",
            )
        if self.selectionBehavior == "at-most-one":
            recommended = sum(1 for s in self.suggestions or () if s.isRecommended)
            if recommended > 1:
                raise PydanticCustomError(
                    "cds-resp-1",
                    "selectionBehavior 'at-most-one' allows at most one isRecommended "
                    "suggestion, got {count}",
                    {"count": recommended},
                )
        return self


class CdsResponse(WireModel):
    """The body of a successful (200) service call (§HTTP Response)."""

    cards: list[Card] = Field(
        description="Cards to show; `[]` when the service has no guidance (REQUIRED)."
    )
    systemActions: list[SystemAction] | None = Field(
        default=None, description="Actions the service proposes to auto-apply."
    )
    extension: Extension | None = Field(
        default=None, description="Reserved for extensions: a JSON object."
    )


class ServiceDefinition(WireModel):
    """One entry of the discovery response (§Discovery/Response)."""

    hook: NonEmptyStr = Field(description="The hook this service is invoked on.")
    title: NonEmptyStr | None = Field(
        default=None, description="Human-friendly name (RECOMMENDED)."
    )
    description: NonEmptyStr = Field(description="Description of this service.")
    id: Annotated[str, AfterValidator(_service_id)] = Field(
        description="The `{id}` of `{baseUrl}/cds-services/{id}`."
    )
    prefetch: dict[str, NonEmptyStr] | None = Field(
        default=None, description="Prefetch key -> FHIR read/search template."
    )
    usageRequirements: NonEmptyStr | None = Field(
        default=None, description="Human-friendly preconditions for using the service."
    )
    extension: Extension | None = Field(
        default=None, description="Reserved for extensions: a JSON object."
    )


class DiscoveryResponse(WireModel):
    """The body of ``GET {baseUrl}/cds-services``."""

    services: list[ServiceDefinition] = Field(
        description="The services offered; `[]` when there are none (REQUIRED)."
    )

    @model_validator(mode="after")
    def _unique_entries(self) -> Self:
        seen: set[tuple[str, str]] = set()
        for service in self.services:
            key = (service.id, service.hook)
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_service",
                    "service id '{id}' is listed twice for hook '{hook}'",
                    {"id": service.id, "hook": service.hook},
                )
            seen.add(key)
        return self
