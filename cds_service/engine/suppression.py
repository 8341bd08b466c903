"""Which findings suppress escalation (docs/clinical-logic.md, section "precedence").

A mimic or another cause — suspect-ibm, suspect-steroid-myopathy, suspect-hypothyroidism,
weakness-likely-damage — suppresses the muscle-directed escalate-* findings ("check the
diagnosis before changing treatment", Lundberg 2021). A mimic also makes
reassess-activity-vs-damage redundant. Read by precedence and by the order check
order-escalation-not-supported.
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


def suppressing_codes(findings: Iterable[Finding]) -> frozenset[FindingCode]:
    """The codes present that suppress escalate-* (empty when escalation may be shown)."""
    return frozenset(f.code for f in findings if f.code in SUPPRESSING)
