"""Extraction never raises, whatever JSON-shaped input it is given."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service.engine.facts import PatientFacts
from cds_service.fhir.extract import extract_facts
from cds_service.terminology import Terminology

from . import builders as b

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_json = st.recursive(
    _scalars | st.sampled_from(["2157-6", b.LOINC, b.RXNORM, "8640", "2024-03", "U/L", "active"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["coding", "system", "code", "text", "value", "unit", "status", "high", "start"]
            )
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    [
        "id",
        "status",
        "code",
        "valueQuantity",
        "valueString",
        "referenceRange",
        "interpretation",
        "effectiveDateTime",
        "effectivePeriod",
        "clinicalStatus",
        "verificationStatus",
        "medicationCodeableConcept",
        "medicationReference",
        "dosageInstruction",
        "dosage",
        "contained",
        "gender",
        "birthDate",
    ]
)
_resource = st.builds(
    lambda kind, body: {"resourceType": kind, **body},
    st.sampled_from(
        [
            "Observation",
            "Condition",
            "MedicationRequest",
            "MedicationStatement",
            "MedicationAdministration",
            "Medication",
            "Patient",
            "Other",
        ]
    ),
    st.dictionaries(_keys, _json, max_size=8),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resources=st.lists(_resource | _json, max_size=6), patient=st.none() | _json)
def test_extraction_never_raises(
    terminology: Terminology, resources: list[Any], patient: Any
) -> None:
    facts = extract_facts(resources, terminology, date(2024, 6, 1), patient=patient)
    assert isinstance(facts, PatientFacts)
