"""What the engine says: findings, each resting on cited evidence.

A finding is rendered by the cards layer into exactly one card (its code, title and rank are
declared by its rule in engine/registry.py); the engine decides *what* holds and *why*, the
cards layer decides the words and the wire format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cds_service.engine.concepts import Agent


class FindingCode(StrEnum):
    """The public finding codes (each a section of docs/clinical-logic.md; never rename)."""

    ESCALATE_SECOND_LINE = "escalate-second-line"
    ESCALATE_THIRD_LINE = "escalate-third-line"
    URGENT_ESCALATION = "urgent-escalation"
    REASSESS_ACTIVITY_VS_DAMAGE = "reassess-activity-vs-damage"
    WEAKNESS_LIKELY_DAMAGE = "weakness-likely-damage"
    REASSESS_DIAGNOSIS = "reassess-diagnosis"
    SUSPECT_IBM = "suspect-ibm"
    SUSPECT_STEROID_MYOPATHY = "suspect-steroid-myopathy"
    SUSPECT_HYPOTHYROIDISM = "suspect-hypothyroidism"
    STATIN_AND_HMGCR = "statin-and-hmgcr"
    MALIGNANCY_SCREENING = "malignancy-screening"
    WORKUP_INCOMPLETE = "workup-incomplete"
    ORDER_STATIN_WITH_HMGCR = "order-statin-with-hmgcr"
    ORDER_ESCALATION_NOT_SUPPORTED = "order-escalation-not-supported"
    ORDER_DUPLICATE_IMMUNOSUPPRESSANT = "order-duplicate-immunosuppressant"
    ORDER_LINE_GUIDANCE = "order-line-guidance"


class Severity(StrEnum):
    """Maps one to one onto the CDS Hooks card indicator."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Workup(StrEnum):
    """Work-up the engine may ask for; the cards layer turns each into a ServiceRequest."""

    ENZYME_PANEL = "enzyme-panel"
    THIGH_MRI_STIR = "thigh-mri-stir"
    MYOSITIS_ANTIBODY_PANEL = "myositis-antibody-panel"
    TSH = "tsh"
    STRENGTH_ASSESSMENT = "strength-assessment"
    MUSCLE_BIOPSY = "muscle-biopsy"
    MALIGNANCY_SCREEN = "malignancy-screen"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One row of a card's evidence table.

    ``label`` names the test or fact ("CK"), ``value`` is the value with its unit as shown
    ("1250 U/L (5.2x ULN)"), ``reference_range`` the range it was judged against, and
    ``reference`` the FHIR resource it came from. A value computed from several records (a
    span of two overlapping orders) names the others in ``also_references``.
    """

    label: str
    value: str
    reference: str
    when: date | None = None
    reference_range: str = ""
    also_references: tuple[str, ...] = ()

    @property
    def references(self) -> tuple[str, ...]:
        """Every FHIR resource the row cites, the main one first."""
        return tuple(r for r in (self.reference, *self.also_references) if r)


@dataclass(frozen=True, slots=True)
class TherapyOption:
    """An escalation agent offered on a card; at most one per finding is recommended."""

    agent: Agent
    recommended: bool
    rationale: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. ``stop_references`` are records a suggestion may stop or remove: the draft
    order itself, or — when ``stops_existing_orders`` — the existing orders that the draft
    replaces (a new agent of the same class replacing an old one). ``extramuscular_only``
    marks an escalate-* finding driven by lung or skin disease alone: it is not
    muscle-directed, so a muscle mimic does not suppress it (docs/clinical-logic.md,
    "precedence"). ``organ_variant`` is the same escalation told for its lung or skin activity
    only, shown instead of it when a muscle mimic explains the muscle (None when no lung or
    skin disease is active). Beside urgent-escalation, which covers the lung, an escalate-*
    finding with ``lung_only`` is not shown and one with ``without_lung`` is shown as that:
    the same card without its lung activity (docs/clinical-logic.md, "precedence")."""

    code: FindingCode
    severity: Severity
    rule_id: str
    rule_version: str
    reason: str
    evidence: tuple[Evidence, ...]
    reference_section: str
    gaps: tuple[str, ...] = ()
    options: tuple[TherapyOption, ...] = ()
    workup: tuple[Workup, ...] = ()
    stop_references: tuple[str, ...] = ()
    stops_existing_orders: bool = False
    order_reference: str = ""
    extramuscular_only: bool = False
    organ_variant: Finding | None = None
    lung_only: bool = False
    without_lung: Finding | None = None

    def __post_init__(self) -> None:
        # One fact shown once: rules assemble evidence from several sources (a trigger and the
        # diagnosis rows, two suppressing findings), which may hold the same row.
        unique = tuple(dict.fromkeys(self.evidence))
        if len(unique) != len(self.evidence):
            object.__setattr__(self, "evidence", unique)
