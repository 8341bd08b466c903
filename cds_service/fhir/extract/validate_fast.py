"""A compiled fast path for validating the common shapes of relevant resources.

``fhir.resources`` validates every element through Python validators (about 100–130 µs for a
laboratory Observation). This module compiles, with ``pydantic-core`` (the engine under
pydantic, already a dependency), a *stricter subset* of FHIR R4B: only the elements that
laboratory systems and EHRs usually send on the resource types the engine reads, every
primitive checked at least as strictly as ``fhir.resources`` checks it, no extensions, no
primitive extensions (``_status``), no empty strings, lists or objects, no unknown keys.

It only ever *accepts*: a resource inside the subset is valid FHIR R4B; a resource outside it
(an unknown element, an extension, a leap second, an odd number) is not judged here and goes
to ``fhir.resources`` (``validate.py``). So the outcome is always the one ``fhir.resources``
gives; ``tests/extract/test_fast_validation.py`` holds the two paths equal over every fixture
resource and generated variants, invalid ones included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

# Primitives, each at least as strict as fhir_core's type for it (fhir_core/types.py).
_ID = cs.str_schema(pattern=r"^[A-Za-z0-9\-.]{1,64}$", strict=True)
_STRING = cs.str_schema(pattern=r"\S", strict=True)  # non-empty, not only whitespace
_CODE = cs.str_schema(pattern=r"^[^\s]+( [^\s]+)*$", max_length=1024, strict=True)
_URI = cs.str_schema(pattern=r"^\S+$", max_length=4096, strict=True)
_BOOLEAN = cs.bool_schema(strict=True)
_POSITIVE_INT = cs.int_schema(strict=True, ge=1, lt=2**31)
_UNSIGNED_INT = cs.int_schema(strict=True, ge=0, lt=2**31)
_DECIMAL = cs.union_schema(
    [
        cs.int_schema(strict=True, gt=-(2**63), lt=2**63),
        cs.float_schema(strict=True, allow_inf_nan=False),
    ]
)
_YEAR = r"[12][0-9]{3}"
_MONTH = r"(0[1-9]|1[0-2])"
# Only real calendar days: what fhir_core's date parse would refuse (2023-02-29, 2024-04-31)
# never matches. February 29 only in leap years (of 1000-2999, as _YEAR).
_MONTH_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    r"|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = r"([12][0-9]([02468][48]|[13579][26]|[2468]0)|1200|1600|2000|2400|2800)"
_DAY = rf"({_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"  # no leap second (:60)
_ZONE = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])"
_DATE = cs.str_schema(pattern=rf"^({_YEAR}|{_YEAR}-{_MONTH}|{_DAY})$", strict=True)
_INSTANT = cs.str_schema(pattern=rf"^{_DAY}T{_TIME}{_ZONE}$", strict=True)
_DATE_TIME = cs.str_schema(
    pattern=rf"^({_YEAR}|{_YEAR}-{_MONTH}|{_DAY}(T{_TIME}{_ZONE})?)$", strict=True
)


def _element(
    fields: dict[str, cs.CoreSchema], required: tuple[str, ...] = ()
) -> cs.TypedDictSchema:
    """A complex element: only these keys, the required ones present, none of them empty."""
    return cs.typed_dict_schema(
        {
            name: cs.typed_dict_field(schema, required=name in required)
            for name, schema in fields.items()
        },
        extra_behavior="forbid",
        total=False,
    )


def _non_empty(schema: cs.CoreSchema) -> cs.CoreSchema:
    """An object with at least one key (FHIR: an element has a value or children)."""
    return schema


def _list(item: cs.CoreSchema) -> cs.ListSchema:
    return cs.list_schema(item, min_length=1, max_length=1000, strict=True)


_CODING = _non_empty(
    _element(
        {
            "system": _URI,
            "version": _STRING,
            "code": _CODE,
            "display": _STRING,
            "userSelected": _BOOLEAN,
        }
    )
)
_CONCEPT = _non_empty(_element({"coding": _list(_CODING), "text": _STRING}))
_REFERENCE = _non_empty(_element({"reference": _STRING, "type": _URI, "display": _STRING}))
_QUANTITY_FIELDS: dict[str, cs.CoreSchema] = {
    "value": _DECIMAL,
    "unit": _STRING,
    "system": _URI,
    "code": _CODE,
}
_SIMPLE_QUANTITY = _non_empty(_element(_QUANTITY_FIELDS))
_QUANTITY = _non_empty(
    _element(
        {
            **_QUANTITY_FIELDS,
            "comparator": cs.literal_schema(["<", "<=", ">=", ">"]),
        }
    )
)
_PERIOD = _non_empty(_element({"start": _DATE_TIME, "end": _DATE_TIME}))
_RANGE = _non_empty(_element({"low": _SIMPLE_QUANTITY, "high": _SIMPLE_QUANTITY}))
_IDENTIFIER = _non_empty(
    _element(
        {
            "use": cs.literal_schema(["usual", "official", "temp", "secondary", "old"]),
            "type": _CONCEPT,
            "system": _URI,
            "value": _STRING,
        }
    )
)
_META = _non_empty(
    _element(
        {
            "versionId": _ID,
            "lastUpdated": _INSTANT,
            "source": _URI,
            "profile": _list(_URI),
            "security": _list(_CODING),
            "tag": _list(_CODING),
        }
    )
)
_COMMON: dict[str, cs.CoreSchema] = {
    "resourceType": _STRING,  # the dispatch already chose the type by it
    "id": _ID,
    "meta": _META,
    "identifier": _list(_IDENTIFIER),
}
_REFERENCE_RANGE = _non_empty(
    _element(
        {
            "low": _SIMPLE_QUANTITY,
            "high": _SIMPLE_QUANTITY,
            "type": _CONCEPT,
            "appliesTo": _list(_CONCEPT),
            "age": _RANGE,
            "text": _STRING,
        }
    )
)
_OBSERVATION = _element(
    {
        **_COMMON,
        "status": cs.literal_schema(
            [
                "registered",
                "preliminary",
                "final",
                "amended",
                "corrected",
                "cancelled",
                "entered-in-error",
                "unknown",
            ]
        ),
        "category": _list(_CONCEPT),
        "code": _CONCEPT,
        "subject": _REFERENCE,
        "encounter": _REFERENCE,
        "effectiveDateTime": _DATE_TIME,
        "effectivePeriod": _PERIOD,
        "effectiveInstant": _INSTANT,
        "issued": _INSTANT,
        "performer": _list(_REFERENCE),
        "valueQuantity": _QUANTITY,
        "valueCodeableConcept": _CONCEPT,
        "valueString": _STRING,
        "valueBoolean": _BOOLEAN,
        "dataAbsentReason": _CONCEPT,
        "interpretation": _list(_CONCEPT),
        "bodySite": _CONCEPT,
        "method": _CONCEPT,
        "specimen": _REFERENCE,
        "referenceRange": _list(_REFERENCE_RANGE),
    },
    required=("resourceType", "status", "code"),
)
_CONDITION = _element(
    {
        **_COMMON,
        "clinicalStatus": _CONCEPT,
        "verificationStatus": _CONCEPT,
        "category": _list(_CONCEPT),
        "severity": _CONCEPT,
        "code": _CONCEPT,
        "bodySite": _list(_CONCEPT),
        "subject": _REFERENCE,
        "encounter": _REFERENCE,
        "onsetDateTime": _DATE_TIME,
        "onsetPeriod": _PERIOD,
        "onsetString": _STRING,
        "abatementDateTime": _DATE_TIME,
        "abatementPeriod": _PERIOD,
        "abatementString": _STRING,
        "recordedDate": _DATE_TIME,
        "recorder": _REFERENCE,
        "asserter": _REFERENCE,
    },
    required=("resourceType", "subject"),
)
_TIMING = _non_empty(
    _element(
        {
            "repeat": _non_empty(
                _element(
                    {
                        "boundsPeriod": _PERIOD,
                        "count": _POSITIVE_INT,
                        "frequency": _POSITIVE_INT,
                        "period": _DECIMAL,
                        "periodUnit": cs.literal_schema(["s", "min", "h", "d", "wk", "mo", "a"]),
                    }
                )
            ),
            "code": _CONCEPT,
        }
    )
)
_DOSAGE = _non_empty(
    _element(
        {
            "sequence": cs.int_schema(strict=True, gt=-(2**31), lt=2**31),
            "text": _STRING,
            "timing": _TIMING,
            "asNeededBoolean": _BOOLEAN,
            "route": _CONCEPT,
            "doseAndRate": _list(
                _non_empty(_element({"type": _CONCEPT, "doseQuantity": _SIMPLE_QUANTITY}))
            ),
        }
    )
)
_MEDICATION_REQUEST = _element(
    {
        **_COMMON,
        "status": cs.literal_schema(
            [
                "active",
                "on-hold",
                "cancelled",
                "completed",
                "entered-in-error",
                "stopped",
                "draft",
                "unknown",
            ]
        ),
        "statusReason": _CONCEPT,
        "intent": cs.literal_schema(
            [
                "proposal",
                "plan",
                "order",
                "original-order",
                "reflex-order",
                "filler-order",
                "instance-order",
                "option",
            ]
        ),
        "category": _list(_CONCEPT),
        "priority": cs.literal_schema(["routine", "urgent", "asap", "stat"]),
        "medicationCodeableConcept": _CONCEPT,
        "medicationReference": _REFERENCE,
        "subject": _REFERENCE,
        "encounter": _REFERENCE,
        "authoredOn": _DATE_TIME,
        "requester": _REFERENCE,
        "reasonCode": _list(_CONCEPT),
        "dosageInstruction": _list(_DOSAGE),
    },
    required=("resourceType", "status", "intent", "subject"),
)
_PATIENT = _element(
    {
        **_COMMON,
        "active": _BOOLEAN,
        "name": _list(
            _non_empty(
                _element(
                    {
                        "use": cs.literal_schema(
                            [
                                "usual",
                                "official",
                                "temp",
                                "nickname",
                                "anonymous",
                                "old",
                                "maiden",
                            ]
                        ),
                        "text": _STRING,
                        "family": _STRING,
                        "given": _list(_STRING),
                        "prefix": _list(_STRING),
                        "suffix": _list(_STRING),
                    }
                )
            )
        ),
        "gender": cs.literal_schema(["male", "female", "other", "unknown"]),
        "birthDate": _DATE,
        "deceasedBoolean": _BOOLEAN,
        "deceasedDateTime": _DATE_TIME,
    },
    required=("resourceType",),
)

_VALIDATORS: dict[str, SchemaValidator] = {
    "Observation": SchemaValidator(_OBSERVATION),
    "Condition": SchemaValidator(_CONDITION),
    "MedicationRequest": SchemaValidator(_MEDICATION_REQUEST),
    "Patient": SchemaValidator(_PATIENT),
}
# Choice elements ([x]): at most one of each group, and MedicationRequest.medication[x]
# exactly once (fhir_core's one-of-many check); the keys the schemas allow, by prefix.
_CHOICES: dict[str, tuple[tuple[str, ...], ...]] = {
    "Observation": (
        ("effectiveDateTime", "effectivePeriod", "effectiveInstant"),
        ("valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean"),
    ),
    "Condition": (
        ("onsetDateTime", "onsetPeriod", "onsetString"),
        ("abatementDateTime", "abatementPeriod", "abatementString"),
    ),
    "MedicationRequest": (("medicationCodeableConcept", "medicationReference"),),
    "Patient": (("deceasedBoolean", "deceasedDateTime"),),
}
_REQUIRED_CHOICE = {"MedicationRequest"}


def surely_valid(resource: Mapping[str, Any]) -> bool:
    """True only when the resource lies in the compiled subset, hence is valid FHIR R4B.

    False means "not judged here" (``fhir.resources`` decides), never "invalid".
    """
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or not isinstance(resource, dict):
        return False
    validator = _VALIDATORS.get(kind)
    if validator is None:
        return False
    for group in _CHOICES[kind]:
        present = sum(1 for name in group if name in resource)
        if present > 1 or (present == 0 and kind in _REQUIRED_CHOICE):
            return False
    try:
        validator.validate_python(resource)
    except ValidationError:
        return False
    return True


FAST_PATH_TYPES = frozenset(_VALIDATORS)
