"""CDS Hooks 2.0.1 wire models (docs/conformance.md §1.1-§1.9), re-exported from the
package's modules.

* ``request``: ``CdsRequest``, ``FhirAuthorization``, hook contexts, ``validate_context``
* ``response``: ``CdsResponse``, ``Card`` and its parts, ``DiscoveryResponse``
* ``feedback``: ``FeedbackRequest`` and its parts
* ``base``: base classes, constrained strings, ``Coding``, ``to_wire``

Send responses with ``to_wire(model)``: it never emits ``null`` or an empty optional member.
"""

from cds_service.cdshooks.models.base import (
    AbsoluteUrl,
    Coding,
    Extension,
    InboundModel,
    NonEmptyStr,
    RelativeReference,
    UuidStr,
    WireModel,
    to_wire,
)
from cds_service.cdshooks.models.feedback import (
    AcceptedSuggestion,
    FeedbackItem,
    FeedbackOutcome,
    FeedbackRequest,
    OverrideReason,
    ReceivedCoding,
)
from cds_service.cdshooks.models.request import (
    HOOK_CONTEXTS,
    AnyHookContext,
    CdsRequest,
    FhirAuthorization,
    FhirId,
    HookContext,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
    UnsupportedHookError,
    validate_context,
)
from cds_service.cdshooks.models.response import (
    SUMMARY_MAX_LENGTH,
    Action,
    ActionType,
    Card,
    CdsResponse,
    DiscoveryResponse,
    Indicator,
    Link,
    LinkType,
    OverrideReasonCoding,
    SelectionBehavior,
    ServiceDefinition,
    Source,
    Suggestion,
    SystemAction,
)

__all__ = [
    "HOOK_CONTEXTS",
    "SUMMARY_MAX_LENGTH",
    "AbsoluteUrl",
    "AcceptedSuggestion",
    "Action",
    "ActionType",
    "AnyHookContext",
    "Card",
    "CdsRequest",
    "CdsResponse",
    "Coding",
    "DiscoveryResponse",
    "Extension",
    "FeedbackItem",
    "FeedbackOutcome",
    "FeedbackRequest",
    "FhirAuthorization",
    "FhirId",
    "HookContext",
    "InboundModel",
    "Indicator",
    "Link",
    "LinkType",
    "NonEmptyStr",
    "OrderSelectContext",
    "OrderSignContext",
    "OverrideReason",
    "OverrideReasonCoding",
    "PatientViewContext",
    "ReceivedCoding",
    "RelativeReference",
    "SelectionBehavior",
    "ServiceDefinition",
    "Source",
    "Suggestion",
    "SystemAction",
    "UnsupportedHookError",
    "UuidStr",
    "WireModel",
    "to_wire",
    "validate_context",
]
