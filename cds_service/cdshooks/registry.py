"""The services this CDS service offers (docs/contract.md, "Services") and their prefetch templates.

Templates use only CDS Hooks 2.0.1 prefetch tokens (``{{context.patientId}}``) and the
restricted query syntax of the spec (type-level search, reference parameter, ``_sort``,
``_count``): ``_sort=-date``, never ``sort:desc``. A key marked required must be had, from
prefetch or from the FHIR server, or the call answers 412.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HookName(StrEnum):
    PATIENT_VIEW = "patient-view"
    ORDER_SELECT = "order-select"
    ORDER_SIGN = "order-sign"


@dataclass(frozen=True, slots=True)
class PrefetchTemplate:
    key: str
    query: str
    resource_type: str
    required: bool

    @property
    def is_read(self) -> bool:
        return "?" not in self.query


PATIENT_HISTORY: tuple[PrefetchTemplate, ...] = (
    PrefetchTemplate("patient", "Patient/{{context.patientId}}", "Patient", True),
    PrefetchTemplate(
        "conditions", "Condition?patient={{context.patientId}}&_count=200", "Condition", True
    ),
    PrefetchTemplate(
        "observations",
        "Observation?patient={{context.patientId}}&_sort=-date&_count=500",
        "Observation",
        True,
    ),
    PrefetchTemplate(
        "medicationRequests",
        "MedicationRequest?patient={{context.patientId}}&_count=200",
        "MedicationRequest",
        True,
    ),
    PrefetchTemplate(
        "medicationStatements",
        "MedicationStatement?patient={{context.patientId}}&_count=200",
        "MedicationStatement",
        False,
    ),
    PrefetchTemplate(
        "medicationAdministrations",
        "MedicationAdministration?patient={{context.patientId}}&_count=200",
        "MedicationAdministration",
        False,
    ),
)


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    id: str
    hook: HookName
    title: str
    description: str
    usage_requirements: str
    prefetch: tuple[PrefetchTemplate, ...] = PATIENT_HISTORY

    def prefetch_map(self) -> dict[str, str]:
        return {t.key: t.query for t in self.prefetch}


_USAGE = (
    "For adults and children with an idiopathic inflammatory myopathy. Reads the patient's "
    "Conditions, Observations (CK, LDH, aldolase, AST, ALT, TSH, myositis antibodies, MRI, "
    "MMT-8/CMAS and other core-set measures) and medications. Give prefetch or a fhirServer "
    "the service may read; a key it cannot obtain answers 412."
)

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        id="myositis-refractory-patient-view",
        hook=HookName.PATIENT_VIEW,
        title="Refractory myositis assessment",
        description=(
            "Assesses a patient with idiopathic inflammatory myopathy after Lundberg 2021: "
            "is the disease refractory, is the weakness activity or damage, is the diagnosis "
            "right, and which line of therapy comes next, guided by the autoantibody subgroup."
        ),
        usage_requirements=_USAGE,
    ),
    ServiceSpec(
        id="myositis-order-select",
        hook=HookName.ORDER_SELECT,
        title="Myositis checks of selected orders",
        description=(
            "Checks the selected draft orders against the patient's myositis picture: a statin "
            "with anti-HMGCR, escalation the evidence does not support, duplicate "
            "immunosuppressants and line order."
        ),
        usage_requirements=_USAGE,
    ),
    ServiceSpec(
        id="myositis-order-sign",
        hook=HookName.ORDER_SIGN,
        title="Myositis checks at signing",
        description=(
            "The myositis order checks at signing, over every draft order of the session."
        ),
        usage_requirements=_USAGE,
    ),
)

SERVICES_BY_ID: dict[str, ServiceSpec] = {s.id: s for s in SERVICES}
