"""Precedence of findings (docs/clinical-logic.md, section "precedence").

The suppressing and suppressible codes are in ``suppression.py``. urgent-escalation is never
suppressed; statin-and-hmgcr and malignancy-screening suppress nothing. An escalate-* finding
whose activity evidence is only extramuscular (``Finding.extramuscular_only``: ILD progression,
a falling FVC, skin, extramuscular global activity) is not muscle-directed: the muscle mimics
explain the weakness, not the lung or skin disease, so it is kept (its reason says which organ
drives it). An escalation resting on muscle and on lung or skin activity is replaced by its
``organ_variant``: the same card told for the lung or skin alone, showing only that organ's
activity.

Beside urgent-escalation (rapidly progressive ILD) the lung has its card: an escalate-*
finding driven by the lung alone (``Finding.lung_only``) is not shown, and one driven by the
muscle or the skin as well is shown without its lung activity (``Finding.without_lung``), so
that one card, the urgent one, speaks for the lung.

Project addition: a mimic finding (suspect-ibm, suspect-steroid-myopathy,
suspect-hypothyroidism) already explains the weakness, so reassess-activity-vs-damage
("activity or damage is unclear") is redundant and removed.

Findings are returned sorted by the display rank their rule declares (``engine/registry.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from cds_service.engine.findings import Finding, FindingCode
from cds_service.engine.registry import DISPLAY_RANK
from cds_service.engine.suppression import (
    EXPLAINED_BY_MIMIC,
    MIMICS,
    SUPPRESSIBLE,
    SUPPRESSING,
    suppressing_codes,
)

__all__ = ["SUPPRESSING", "apply_precedence", "suppressing_codes"]


def apply_precedence(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Drop escalate-* when a suppressing finding holds; sort by display rank."""
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
    if FindingCode.URGENT_ESCALATION in present:
        kept = [shown for f in kept if (shown := _beside_urgent(f)) is not None]
    return tuple(sorted(kept, key=lambda f: DISPLAY_RANK[f.code]))


def _beside_urgent(finding: Finding) -> Finding | None:
    """An escalation as shown beside urgent-escalation, which covers the lung: nothing when
    the lung alone drives it, else without its lung activity."""
    if finding.code not in SUPPRESSIBLE:
        return finding
    if finding.lung_only:
        return None
    return finding.without_lung or finding


def _organ_driven(finding: Finding) -> Finding | None:
    """What stays of a suppressed finding: an escalation for lung or skin disease, told for
    that organ alone (no muscle mimic explains it); nothing otherwise."""
    if finding.code not in SUPPRESSIBLE:
        return None
    if finding.extramuscular_only:
        return finding
    return finding.organ_variant
