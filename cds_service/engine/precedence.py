"""Precedence of findings (contract.md §2; clinical-reference.md §2.2).

A finding about a mimic or another cause — suspect-ibm, suspect-steroid-myopathy,
suspect-hypothyroidism, weakness-likely-damage — suppresses the muscle-directed escalate-*
findings ("check the diagnosis before changing treatment", Lundberg [S3]). urgent-escalation is
never suppressed; statin-and-hmgcr and malignancy-screening suppress nothing. An escalate-*
finding whose activity evidence is only extramuscular (``Finding.extramuscular_only``: active
ILD, ILD progression, skin, extramuscular global activity) is not muscle-directed: these muscle
mimics explain the weakness, not the lung or skin disease, so it is kept (its reason says the
escalation is for the extramuscular disease). An escalation resting on muscle and on lung or
skin activity is replaced by its ``organ_variant``: the same card told for the lung or skin
alone, showing only that organ's activity.

Project addition (contract.md allows additions): a mimic finding (suspect-ibm,
suspect-steroid-myopathy, suspect-hypothyroidism) already explains the weakness, so
reassess-activity-vs-damage ("activity or damage is unclear") is redundant and removed. It
never removes a finding the contract says is kept.

The order hooks reuse ``suppressing_codes`` (order-escalation-not-supported).
"""

from __future__ import annotations

from collections.abc import Iterable

from cds_service.engine.findings import Finding, FindingCode

SUPPRESSING: frozenset[FindingCode] = frozenset(
    {
        FindingCode.SUSPECT_IBM,
        FindingCode.SUSPECT_STEROID_MYOPATHY,
        FindingCode.SUSPECT_HYPOTHYROIDISM,
        FindingCode.WEAKNESS_LIKELY_DAMAGE,
    }
)
SUPPRESSIBLE: frozenset[FindingCode] = frozenset(
    {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}
)

MIMICS: frozenset[FindingCode] = frozenset(
    {
        FindingCode.SUSPECT_IBM,
        FindingCode.SUSPECT_STEROID_MYOPATHY,
        FindingCode.SUSPECT_HYPOTHYROIDISM,
    }
)
EXPLAINED_BY_MIMIC: frozenset[FindingCode] = frozenset({FindingCode.REASSESS_ACTIVITY_VS_DAMAGE})

# The order findings are returned in: most urgent first, stable across calls.
DISPLAY_ORDER: tuple[FindingCode, ...] = (
    FindingCode.URGENT_ESCALATION,
    FindingCode.STATIN_AND_HMGCR,
    FindingCode.SUSPECT_IBM,
    FindingCode.SUSPECT_STEROID_MYOPATHY,
    FindingCode.SUSPECT_HYPOTHYROIDISM,
    FindingCode.ESCALATE_THIRD_LINE,
    FindingCode.ESCALATE_SECOND_LINE,
    FindingCode.MALIGNANCY_SCREENING,
    FindingCode.REASSESS_DIAGNOSIS,
    FindingCode.WEAKNESS_LIKELY_DAMAGE,
    FindingCode.REASSESS_ACTIVITY_VS_DAMAGE,
    FindingCode.WORKUP_INCOMPLETE,
)


def suppressing_codes(findings: Iterable[Finding]) -> frozenset[FindingCode]:
    """The codes present that suppress escalate-* (empty when escalation may be shown)."""
    return frozenset(f.code for f in findings if f.code in SUPPRESSING)


def apply_precedence(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Drop escalate-* when a suppressing finding holds; sort into ``DISPLAY_ORDER``."""
    found = list(findings)
    present = {f.code for f in found}
    removed: set[FindingCode] = set()
    if present & SUPPRESSING:
        removed |= SUPPRESSIBLE
    if present & MIMICS:
        removed |= EXPLAINED_BY_MIMIC
    kept = [
        shown
        for f in found
        if (shown := f if f.code not in removed else _organ_driven(f)) is not None
    ]
    rank = {code: index for index, code in enumerate(DISPLAY_ORDER)}
    return tuple(sorted(kept, key=lambda f: rank.get(f.code, len(rank))))


def _organ_driven(finding: Finding) -> Finding | None:
    """What stays of a suppressed finding: an escalation for lung or skin disease, told for
    that organ alone (no muscle mimic explains it); nothing otherwise."""
    if finding.code not in SUPPRESSIBLE:
        return None
    if finding.extramuscular_only:
        return finding
    return finding.organ_variant
