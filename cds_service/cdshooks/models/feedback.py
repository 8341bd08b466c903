"""The feedback body (§Feedback): ``POST {baseUrl}/cds-services/{id}/feedback``.

Invariants cds-fb-1..3 (HL7/cds-hooks ``input/fsh/invariants/cds-fb-*.fsh``) are enforced; unknown
members are kept, as for every inbound body.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cds_service.cdshooks.models.base import Coding, Extension, InboundModel, NonEmptyStr

__all__ = [
    "AcceptedSuggestion",
    "FeedbackItem",
    "FeedbackOutcome",
    "FeedbackRequest",
    "OverrideReason",
    "ReceivedCoding",
]

FeedbackOutcome = Literal["accepted", "overridden"]

# RFC 3339 §5.6 date-time (as the spec profiles ISO 8601): full date, 'T' (or space, per the
# RFC's note), time, optional fraction, and a mandatory 'Z' or numeric offset.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise PydanticCustomError(
            "date_time",
            "outcomeTimestamp must be an ISO 8601 / RFC 3339 date-time with a time zone, "
            "e.g. 2021-12-11T10:05:31Z",
        )
    return value


def _in_utc_range(value: datetime) -> datetime:
    """The instant must exist in UTC (0001-01-01T00:00+01:00 does not)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "date_time", "outcomeTimestamp is outside the representable range"
        ) from None


# Identifiers we store: the cards' and suggestions' uuids; bounded, no control characters.
FeedbackId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[!-~]+$")]


class ReceivedCoding(Coding):
    """A Coding as a client sends it back: unknown members are tolerated."""

    model_config = ConfigDict(extra="allow")


class AcceptedSuggestion(InboundModel):
    """One accepted suggestion (§Suggestion accepted)."""

    id: FeedbackId = Field(description="The `card.suggestion.uuid` that was accepted.")


class OverrideReason(InboundModel):
    """Why the user overrode a card (§OverrideReason)."""

    reason: ReceivedCoding | None = Field(
        default=None, description="The override reason the user selected from the card."
    )
    userComment: NonEmptyStr | None = Field(
        default=None, description="Free-text comment of the user."
    )

    @model_validator(mode="after")
    def _reason_or_comment(self) -> Self:
        if self.reason is None and self.userComment is None:
            raise PydanticCustomError(
                "cds-fb-3", "an overrideReason must contain a reason, a userComment, or both"
            )
        return self


class FeedbackItem(InboundModel):
    """What the user did with one card (§Feedback)."""

    card: FeedbackId = Field(description="The `card.uuid` from the CDS Hooks response.")
    outcome: FeedbackOutcome = Field(description="`accepted` or `overridden` (cds-fb-1).")
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(
        default=None, description="Suggestions accepted; REQUIRED when `accepted` (cds-fb-2)."
    )
    overrideReason: OverrideReason | None = Field(
        default=None, description="The override reason and/or comment."
    )
    outcomeTimestamp: Annotated[
        AwareDatetime, BeforeValidator(_rfc3339), AfterValidator(_in_utc_range)
    ] = Field(description="When the user acted, as an RFC 3339 date-time (UTC by the spec).")
    extension: Extension | None = Field(
        default=None, description="Reserved for extensions: a JSON object."
    )

    @model_validator(mode="after")
    def _accepted_needs_suggestions(self) -> Self:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise PydanticCustomError(
                "cds-fb-2", "acceptedSuggestions SHALL be provided when outcome is 'accepted'"
            )
        return self


class FeedbackRequest(InboundModel):
    """The feedback body: ``{"feedback": [...]}``."""

    feedback: list[FeedbackItem] = Field(description="Feedback on one or more cards.")
    extension: Extension | None = Field(
        default=None, description="Reserved for extensions: a JSON object."
    )
