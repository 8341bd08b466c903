"""Property tests of the wire models.

* Inbound bodies: any JSON-shaped input either validates or raises ``ValidationError``,
  never another exception (so the API can always answer with an OperationOutcome).
* Outbound: ``to_wire`` never emits ``null``, ``""``, ``[]`` or ``{}`` as a member value,
  except the REQUIRED top-level ``cards``; its output validates again and is a fixed point.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cds_service.cdshooks.models import (
    SUMMARY_MAX_LENGTH,
    Card,
    CdsRequest,
    CdsResponse,
    FeedbackRequest,
    UnsupportedHookError,
    to_wire,
    validate_context,
)

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

uuids = st.uuids().map(str)
hooks = st.sampled_from(["patient-view", "order-select", "order-sign", "other-hook", ""])
references = st.sampled_from(["Practitioner/1", "PractitionerRole/a.b-c", "x", "Patient/", ""])
fhir_ids = st.sampled_from(["1288992", "a.b-c", "1 2", "", "../x"])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The plausible value, or any JSON value instead."""
    return strategy | json_values


bundles = st.fixed_dictionaries(
    {"resourceType": maybe(st.just("Bundle"))},
    optional={
        "entry": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"resource": maybe(st.fixed_dictionaries({"resourceType": st.just("X")}))}
                ),
                max_size=3,
            )
        )
    },
)
contexts = st.fixed_dictionaries(
    {},
    optional={
        "userId": maybe(references),
        "patientId": maybe(fhir_ids),
        "encounterId": maybe(fhir_ids),
        "selections": maybe(st.lists(references, max_size=3)),
        "draftOrders": maybe(bundles),
    },
)
authorizations = st.fixed_dictionaries(
    {},
    optional={
        "access_token": maybe(st.text()),
        "token_type": maybe(st.sampled_from(["Bearer", "bearer", "MAC"])),
        "expires_in": maybe(st.integers()),
        "scope": maybe(st.text()),
        "subject": maybe(st.text()),
        "patient": maybe(fhir_ids),
    },
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "hook": maybe(hooks),
        "hookInstance": maybe(uuids),
        "fhirServer": maybe(st.sampled_from(["https://ehr.example.org/fhir", "/fhir", ""])),
        "fhirAuthorization": maybe(authorizations),
        "context": maybe(contexts),
        "prefetch": maybe(st.dictionaries(st.text(max_size=8), json_values, max_size=3)),
        "extension": json_values,
    },
)
stamps = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()) | st.text()
feedback_items = st.fixed_dictionaries(
    {},
    optional={
        "card": maybe(uuids),
        "outcome": maybe(st.sampled_from(["accepted", "overridden", "ignored"])),
        "acceptedSuggestions": maybe(st.lists(st.fixed_dictionaries({"id": maybe(uuids)}))),
        "overrideReason": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "reason": maybe(
                        st.fixed_dictionaries({"code": st.text(), "system": st.text()})
                    ),
                    "userComment": maybe(st.text()),
                },
            )
        ),
        "outcomeTimestamp": maybe(stamps),
    },
)
feedbacks = st.fixed_dictionaries({"feedback": maybe(st.lists(feedback_items, max_size=3))})


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6) | requests)
def test_any_json_request_validates_or_raises_validation_error(data: dict[str, Any]) -> None:
    try:
        request = CdsRequest.model_validate(data)
    except ValidationError:
        return
    assert request.hook == data["hook"]
    with contextlib.suppress(ValidationError, UnsupportedHookError):
        validate_context(request)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6) | feedbacks)
def test_any_json_feedback_validates_or_raises_validation_error(data: dict[str, Any]) -> None:
    try:
        feedback = FeedbackRequest.model_validate(data)
    except ValidationError:
        return
    for item in feedback.feedback:
        assert item.outcome != "accepted" or item.acceptedSuggestions
        assert item.outcomeTimestamp.tzinfo is not None


@PROPERTY_SETTINGS
@given(st.text(max_size=SUMMARY_MAX_LENGTH + 20))
def test_summary_validates_exactly_when_short_and_not_blank(summary: str) -> None:
    data = {"summary": summary, "indicator": "info", "source": {"label": "x"}}
    valid = 0 < len(summary) <= SUMMARY_MAX_LENGTH and summary.strip() != ""
    try:
        Card.model_validate(data)
    except ValidationError:
        assert not valid
    else:
        assert valid


# --- outbound ------------------------------------------------------------------------

words = st.text(alphabet="abc xyz", min_size=1, max_size=20).filter(lambda s: s.strip() != "")
optional_words = st.none() | st.just("") | words
resources = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["MedicationRequest", "ServiceRequest"])},
    optional={"note": json_values, "status": json_values, "code": json_values},
)
codings = st.fixed_dictionaries(
    {"code": words, "system": st.just("https://example.org/cs")},
    optional={"display": st.none() | words},
)
actions = st.fixed_dictionaries(
    {"type": st.sampled_from(["create", "update"]), "description": words, "resource": resources}
) | st.fixed_dictionaries(
    {"type": st.just("delete"), "description": words, "resourceId": st.just("MedicationRequest/1")}
)
suggestions = st.fixed_dictionaries(
    {"label": words},
    optional={
        "uuid": st.none() | uuids,
        "isRecommended": st.none() | st.just(False),
        "actions": st.none() | st.lists(actions, max_size=2),
    },
)
links = st.fixed_dictionaries(
    {"label": words, "url": st.just("https://example.org/x"), "type": st.just("absolute")},
    optional={"autolaunchable": st.none() | st.booleans()},
)


@st.composite
def cards(draw: st.DrawFn) -> dict[str, Any]:
    card: dict[str, Any] = {
        "uuid": draw(st.none() | uuids),
        "summary": draw(words),
        "detail": draw(st.none() | words),
        "indicator": draw(st.sampled_from(["info", "warning", "critical"])),
        "source": {
            "label": draw(words),
            "url": draw(st.none() | st.just("https://example.org/src")),
            "topic": draw(st.none() | codings),
        },
        "overrideReasons": draw(
            st.none() | st.lists(codings.map(lambda c: {**c, "display": "Reason"}), max_size=2)
        ),
        "links": draw(st.none() | st.lists(links, max_size=2)),
    }
    chosen = draw(st.none() | st.just([]) | st.lists(suggestions, min_size=1, max_size=3))
    card["suggestions"] = chosen
    if chosen:
        card["selectionBehavior"] = draw(st.sampled_from(["at-most-one", "any"]))
    return card


responses = st.fixed_dictionaries(
    {"cards": st.lists(cards(), max_size=3)},
    optional={
        "systemActions": st.none() | st.lists(actions, max_size=2),
        "extension": st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=2),
    },
)


def empty_members(value: Any, path: str = "$") -> list[str]:
    """Paths of object members whose value is null, "", [] or {}."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None or (isinstance(item, str | list | dict) and len(item) == 0):
                found.append(f"{path}.{key}")
            found.extend(empty_members(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(empty_members(item, f"{path}[{index}]"))
    return found


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(responses)
def test_to_wire_never_emits_null_or_empty_members(data: dict[str, Any]) -> None:
    wire = to_wire(CdsResponse.model_validate(data))
    assert [path for path in empty_members(wire) if path != "$.cards"] == []
    assert isinstance(wire["cards"], list)
    assert len(wire["cards"]) == len(data["cards"])
    again = to_wire(CdsResponse.model_validate(wire))
    assert again == wire
