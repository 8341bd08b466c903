"""What a rule is: the one shape every patient-view rule and order check has.

A rule is a module with ``RULE_ID``, ``RULE_VERSION`` (bumped on every behaviour change, with a
CHANGELOG.md entry), ``SECTION`` (the heading of its section in docs/clinical-logic.md, the
anchor its cards link to), ``FINDINGS`` (each finding code it may give, with the card title and
display rank), and ``evaluate(subject)``. The subject is the patient's ``Assessment`` for a
patient-view rule and one ``DraftAssessment`` (a draft order in its session) for an order check.
The registry (``engine/registry.py``) lists every rule once; precedence, card titles and the
docs test read it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from cds_service.engine.findings import Finding, FindingCode

SubjectT_contra = TypeVar("SubjectT_contra", contravariant=True)


@dataclass(frozen=True, slots=True)
class FindingSpec:
    """One finding code a rule may give: its card title and display rank (lower shows first)."""

    code: FindingCode
    title: str
    rank: int


class Rule(Protocol[SubjectT_contra]):
    """A rule module (see the module docstring)."""

    @property
    def RULE_ID(self) -> str: ...

    @property
    def RULE_VERSION(self) -> str: ...

    @property
    def SECTION(self) -> str: ...

    @property
    def FINDINGS(self) -> tuple[FindingSpec, ...]: ...

    def evaluate(self, subject: SubjectT_contra, /) -> tuple[Finding, ...]: ...
