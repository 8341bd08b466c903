"""The CDS Hooks 2.0.1 spec's own JSON examples (HL7/cds-hooks ``input/pagecontent/index.md``; hook
contexts from the CDS Hooks library of hooks 1.0.1) validate against the wire models. Values
are the spec's synthetic ones; FHIR resources are trimmed where the spec itself writes
"<snipped for brevity>"."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cds_service.cdshooks.models import (
    CdsRequest,
    CdsResponse,
    DiscoveryResponse,
    FeedbackRequest,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
    to_wire,
    validate_context,
)

DISCOVERY: dict[str, Any] = {
    "services": [
        {
            "hook": "patient-view",
            "title": "Static CDS Service Example",
            "description": "An example of a CDS Service that returns a static set of cards",
            "id": "static-patient-greeter",
            "prefetch": {"patientToGreet": "Patient/{{context.patientId}}"},
        },
        {
            "hook": "order-select",
            "title": "Order Echo CDS Service",
            "description": "An example of a CDS Service that simply echoes the order(s) "
            "being placed",
            "id": "order-echo",
            "prefetch": {
                "patient": "Patient/{{context.patientId}}",
                "medications": "MedicationRequest?patient={{context.patientId}}",
            },
        },
        {
            "hook": "order-sign",
            "title": "Pharmacogenomics CDS Service",
            "description": "An example of a more advanced, precision medicine CDS Service",
            "id": "pgx-on-order-sign",
            "usageRequirements": "Note: functionality of this CDS Service is degraded without "
            "access to a FHIR Restful API as part of CDS recommendation generation.",
        },
    ]
}

DISCOVERY_WITH_EXTENSION: dict[str, Any] = {
    "services": [
        {
            "title": "Example CDS Service Discovery",
            "hook": "patient-view",
            "id": "patientview",
            "prefetch": {"patient": "Patient/{{context.patientId}}"},
            "description": "clinical decision support for patient view",
            "extension": {
                "com.example.clientConformance": "http://hooks.example.org/fhir/102/Conformance/patientview"
            },
        }
    ]
}

REQUEST: dict[str, Any] = {
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "fhirServer": "http://hooks.smarthealthit.org:9080",
    "hook": "patient-view",
    "fhirAuthorization": {
        "access_token": "some-opaque-fhir-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read user/Observation.read",
        "subject": "cds-service4",
    },
    "context": {"userId": "Practitioner/example", "patientId": "1288992", "encounterId": "89284"},
    "prefetch": {
        "patientToGreet": {
            "resourceType": "Patient",
            "gender": "male",
            "birthDate": "1925-12-23",
            "id": "1288992",
            "active": True,
        }
    },
}

REQUEST_WITH_EXTENSION: dict[str, Any] = {
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "fhirServer": "http://fhir.example.org:9080",
    "hook": "patient-view",
    "context": {"userId": "Practitioner/example"},
    "extension": {
        "com.example.timestamp": "2017-11-27T22:13:25Z",
        "com.cds-hooks.sandbox.myextension-practitionerspecialty": "gastroenterology",
    },
}

MEDICATION_REQUEST_103: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "smart-MedicationRequest-103",
    "status": "draft",
    "intent": "order",
    "medicationCodeableConcept": {
        "coding": [
            {
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "617993",
                "display": "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML "
                "Oral Suspension",
            }
        ]
    },
    "subject": {"reference": "Patient/1288992"},
}
NUTRITION_ORDER: dict[str, Any] = {
    "resourceType": "NutritionOrder",
    "id": "pureeddiet-simple",
    "status": "draft",
    "patient": {"reference": "Patient/1288992"},
    "dateTime": "2014-09-17",
}
PENDING_ORDER: dict[str, Any] = {
    "resourceType": "ServiceRequest",
    "id": "pending-lab",
    "status": "draft",
    "intent": "order",
    "subject": {"reference": "Patient/1288992"},
}

ORDER_SELECT_CONTEXT: dict[str, Any] = {
    "userId": "PractitionerRole/123",
    "patientId": "1288992",
    "encounterId": "89284",
    "selections": [
        "NutritionOrder/pureeddiet-simple",
        "MedicationRequest/smart-MedicationRequest-103",
    ],
    "draftOrders": {
        "resourceType": "Bundle",
        "entry": [
            {"resource": NUTRITION_ORDER},
            {"resource": MEDICATION_REQUEST_103},
            {"resource": PENDING_ORDER},
        ],
    },
}

ORDER_SIGN_CONTEXT: dict[str, Any] = {
    "userId": "PractitionerRole/123",
    "patientId": "1288992",
    "encounterId": "89284",
    "draftOrders": {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": MEDICATION_REQUEST_103}],
    },
}

RESPONSE: dict[str, Any] = {
    "cards": [
        {
            "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
            "summary": "Example Card",
            "indicator": "info",
            "detail": "This is an example card.",
            "source": {
                "label": "Static CDS Service Example",
                "url": "https://example.com",
                "icon": "https://example.com/img/icon-100px.png",
            },
            "links": [
                {"label": "Google", "url": "https://google.com", "type": "absolute"},
                {"label": "Github", "url": "https://github.com", "type": "absolute"},
                {
                    "label": "SMART Example App",
                    "url": "https://smart.example.com/launch",
                    "type": "smart",
                    "appContext": '{"session":3456356,"settings":{"module":4235}}',
                },
            ],
        },
        {
            "summary": "Another card",
            "indicator": "warning",
            "source": {"label": "Static CDS Service Example"},
            "overrideReasons": [
                {
                    "code": "reason-code-provided-by-service",
                    "system": "http://example.org/cds-services/fhir/CodeSystem/override-reasons",
                    "display": "Patient refused",
                },
                {
                    "code": "12354",
                    "system": "http://example.org/cds-services/fhir/CodeSystem/override-reasons",
                    "display": "Contraindicated",
                },
            ],
        },
    ]
}

AUTOLAUNCH_CARD: dict[str, Any] = {
    "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
    "summary": "Lung cancer screening shared decision making",
    "detail": "Patient is a current smoker with a 20 pack/year history. Consider advising "
    "patient to complete lung cancer screening.",
    "source": {
        "label": "Lung Cancer Screening Shared Decision Making App",
        "url": "https://example.com/LCS",
        "icon": "https://example.com/img/icon-100px.png",
    },
    "links": [
        {"label": "Github", "url": "https://github.com", "type": "absolute", "autolaunchable": True}
    ],
}

SYSTEM_ACTIONS: dict[str, Any] = {
    "cards": [],
    "systemActions": [
        {
            "type": "update",
            "resource": {"resourceType": "ServiceRequest", "id": "example-MRI-59879846"},
        }
    ],
}

SUGGESTION_CARD: dict[str, Any] = {
    "summary": "Acetaminophen dose adjustment",
    "indicator": "warning",
    "source": {
        "label": "Zika Virus Management",
        "url": "https://example.com/cdc-zika-virus-mgmt",
        "icon": "https://example.com/cdc-zika-virus-mgmt/100.png",
        "topic": {
            "system": "http://example.org/cds-services/fhir/CodeSystem/topics",
            "code": "12345",
            "display": "Mosquito born virus",
        },
    },
    "selectionBehavior": "any",
    "suggestions": [
        {
            "label": "Create, update and delete",
            "uuid": "e56e1945-20b3-4393-8503-a1a20fd73152",
            "actions": [
                {
                    "type": "create",
                    "description": "Create a prescription for Acetaminophen 250 MG",
                    "resource": {"resourceType": "MedicationRequest", "id": "medrx001"},
                },
                {
                    "type": "update",
                    "description": "Update the order to record the appropriateness score",
                    "resource": {"resourceType": "ServiceRequest", "id": "procedure-request-1"},
                },
                {
                    "type": "delete",
                    "description": "Remove the inappropriate order",
                    "resourceId": "ServiceRequest/procedure-request-1",
                },
            ],
        }
    ],
}

FEEDBACK_ACCEPTED: dict[str, Any] = {
    "feedback": [
        {
            "card": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
            "outcomeTimestamp": "2021-12-11T10:05:31Z",
        }
    ]
}
FEEDBACK_OVERRIDDEN: dict[str, Any] = {
    "feedback": [
        {
            "card": "f6b95768-b1c8-40dc-8385-bf3504b82ffb",
            "outcome": "overridden",
            "outcomeTimestamp": "2020-12-11T00:00:00Z",
        }
    ]
}
FEEDBACK_OVERRIDE_REASON: dict[str, Any] = {
    "feedback": [
        {
            "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
            "outcome": "overridden",
            "overrideReason": {
                "reason": {
                    "code": "d7ecf885",
                    "system": "https://example.com/cds-hooks/override-reason-system",
                },
                "userComment": "A comment entered by the clinician.",
            },
            "outcomeTimestamp": "2020-12-11T00:00:00Z",
        }
    ]
}


def test_discovery_examples_validate_and_round_trip() -> None:
    for example in (DISCOVERY, DISCOVERY_WITH_EXTENSION):
        assert to_wire(DiscoveryResponse.model_validate(example)) == example


def test_request_example_validates_with_patient_view_context() -> None:
    request = CdsRequest.model_validate(REQUEST)
    assert request.fhirAuthorization is not None
    assert request.fhirAuthorization.access_token.get_secret_value() == (
        "some-opaque-fhir-access-token"
    )
    assert request.prefetch == REQUEST["prefetch"]
    context = validate_context(request)
    assert isinstance(context, PatientViewContext)
    assert (context.userId, context.patientId, context.encounterId) == (
        "Practitioner/example",
        "1288992",
        "89284",
    )


def test_request_extension_example_keeps_extension() -> None:
    request = CdsRequest.model_validate(REQUEST_WITH_EXTENSION)
    assert request.extension == REQUEST_WITH_EXTENSION["extension"]
    # The example's context lacks patientId, which the library's patient-view requires.
    with pytest.raises(ValidationError) as caught:
        validate_context(request)
    assert [e["loc"] for e in caught.value.errors()] == [("context", "patientId")]


def test_order_select_example_context() -> None:
    request = CdsRequest.model_validate(
        {
            "hook": "order-select",
            "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            "context": ORDER_SELECT_CONTEXT,
        }
    )
    context = validate_context(request)
    assert isinstance(context, OrderSelectContext)
    assert context.draft_resources() == [NUTRITION_ORDER, MEDICATION_REQUEST_103, PENDING_ORDER]
    assert context.selected_resources() == [NUTRITION_ORDER, MEDICATION_REQUEST_103]


def test_order_sign_example_context() -> None:
    request = CdsRequest.model_validate(
        {
            "hook": "order-sign",
            "hookInstance": "4a74b1d0-4fee-4d18-b76f-7f3bd361e4bc",
            "fhirServer": "https://ehr.example.org/fhir",
            "context": ORDER_SIGN_CONTEXT,
        }
    )
    context = validate_context(request)
    assert isinstance(context, OrderSignContext)
    assert context.draft_resources() == [MEDICATION_REQUEST_103]


@pytest.mark.parametrize(
    "example",
    [RESPONSE, SYSTEM_ACTIONS, {"cards": [SUGGESTION_CARD]}, {"cards": []}],
    ids=["cards-and-links", "system-actions", "suggestions-and-actions", "no-guidance"],
)
def test_response_examples_validate_and_round_trip(example: dict[str, Any]) -> None:
    assert to_wire(CdsResponse.model_validate(example)) == example


def test_autolaunchable_example_lacks_the_required_indicator() -> None:
    # The spec's "Example response using autolaunchable" omits `indicator`, which
    # §Card Attributes makes REQUIRED: the model reports exactly that, nothing else.
    with pytest.raises(ValidationError) as caught:
        CdsResponse.model_validate({"cards": [AUTOLAUNCH_CARD]})
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
        (("cards", 0, "indicator"), "missing")
    ]
    fixed = {"cards": [{**AUTOLAUNCH_CARD, "indicator": "info"}]}
    response = CdsResponse.model_validate(fixed)
    links = response.cards[0].links
    assert links is not None
    assert links[0].autolaunchable is True
    assert to_wire(response) == fixed


@pytest.mark.parametrize(
    "example",
    [FEEDBACK_ACCEPTED, FEEDBACK_OVERRIDDEN, FEEDBACK_OVERRIDE_REASON],
    ids=["accepted", "overridden", "overridden-with-reason"],
)
def test_feedback_examples_validate(example: dict[str, Any]) -> None:
    feedback = FeedbackRequest.model_validate(example)
    item, expected = feedback.feedback[0], example["feedback"][0]
    assert item.card == expected["card"]
    assert item.outcome == expected["outcome"]
    assert item.outcomeTimestamp.isoformat().replace("+00:00", "Z") == expected["outcomeTimestamp"]
