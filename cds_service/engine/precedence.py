"""Precedence of findings (contract.md §2; clinical-reference.md §2.2).

A finding about a mimic or another cause — suspect-ibm, suspect-steroid-myopathy,
suspect-hypothyroidism, weakness-likely-damage — suppresses the muscle-directed escalate-*
findings ("check the diagnosis before changing treatment", Lundberg [S3]). urgent-escalation is
never suppressed; statin-and-hmgcr and malignancy-screening suppress nothing.

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
    suppressed = bool(suppressing_codes(found))
    kept = [f for f in found if not (suppressed and f.code in SUPPRESSIBLE)]
    rank = {code: index for index, code in enumerate(DISPLAY_ORDER)}
    return tuple(sorted(kept, key=lambda f: rank.get(f.code, len(rank))))
