"""A CDS Hooks feedback request as the rows the feedback store keeps."""

from __future__ import annotations

from datetime import UTC

from cds_service.cdshooks.feedback_store import FeedbackRecord
from cds_service.cdshooks.models import FeedbackRequest


def feedback_records(service_id: str, request: FeedbackRequest) -> list[FeedbackRecord]:
    return [
        FeedbackRecord(
            service_id=service_id,
            card_uuid=item.card,
            outcome=item.outcome,
            outcome_timestamp=item.outcomeTimestamp.astimezone(UTC).isoformat(),
            accepted_suggestions=tuple(s.id for s in item.acceptedSuggestions or ()),
            override_reason=(
                item.overrideReason.model_dump(mode="json", exclude_none=True)
                if item.overrideReason
                else None
            ),
        )
        for item in request.feedback
    ]
