"""Antibody- and phenotype-defined subgroups and the agents each prefers (§2.4).

Reference: docs/clinical-logic.md, "escalate-second-line" (subtype table) and "Which agent a
card recommends".

"Which agent a card recommends" (§2.3): among the agents of the card's own line, the one the
subtype row of §2.4 prefers; where the row names none for that line, the first agent of that
line in the default order. Agents of a later line are never offered on an earlier line's card.

When several rows apply, the first of ``Subtype`` in declaration order wins (antibody-defined
IMNM first, then the ILD-defined rows, then juvenile, then skin-predominant DM).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cds_service.engine.concepts import Agent
from cds_service.engine.findings import Evidence
from cds_service.engine.therapy import SECOND_LINE_AGENTS, THIRD_LINE_AGENTS


class Subtype(StrEnum):
    """The §2.4 rows that change the order of options, in order of precedence."""

    ANTI_HMGCR_IMNM = "anti-hmgcr-imnm"
    ANTI_SRP_IMNM = "anti-srp-imnm"
    ANTI_MDA5_ILD = "anti-mda5-ild"
    ANTISYNTHETASE_ILD = "antisynthetase-ild"
    JUVENILE = "juvenile"
    DM_SKIN_PREDOMINANT = "dm-skin-predominant"
    DEFAULT = "default"


IMNM_SUBTYPES: frozenset[Subtype] = frozenset({Subtype.ANTI_HMGCR_IMNM, Subtype.ANTI_SRP_IMNM})

# Each row's preferred agents, best first, per line. Agents of the line not named here follow
# in the default order (§2.3 table order). Rationale strings are shown on the card.
_PREFERENCES: dict[Subtype, dict[int, tuple[Agent, ...]]] = {
    # §2.4: IVIG works well in anti-HMGCR IMNM, sometimes as monotherapy: prefer IVIG next.
    Subtype.ANTI_HMGCR_IMNM: {2: (Agent.IVIG,), 3: ()},
    # §2.4: regimens with rituximab work best in anti-SRP IMNM (a third-line agent).
    Subtype.ANTI_SRP_IMNM: {2: (), 3: (Agent.RITUXIMAB,)},
    # §2.4: GC + calcineurin inhibitor; triple therapy with IV cyclophosphamide; tofacitinib.
    Subtype.ANTI_MDA5_ILD: {
        2: (Agent.TACROLIMUS, Agent.CICLOSPORIN),
        3: (Agent.CYCLOPHOSPHAMIDE, Agent.TOFACITINIB),
    },
    # §2.4: ILD-directed agents: CNI, MMF, rituximab, CYC.
    Subtype.ANTISYNTHETASE_ILD: {
        2: (Agent.TACROLIMUS, Agent.CICLOSPORIN, Agent.MYCOPHENOLATE),
        3: (Agent.RITUXIMAB, Agent.CYCLOPHOSPHAMIDE),
    },
    # §2.4 JDM: ciclosporin (PRINTO arm), rituximab (RIM), JAK inhibitors; IVIG and MMF too.
    Subtype.JUVENILE: {
        2: (Agent.CICLOSPORIN, Agent.IVIG, Agent.MYCOPHENOLATE),
        3: (Agent.RITUXIMAB, Agent.TOFACITINIB, Agent.BARICITINIB),
    },
    # §2.4: DM with refractory skin, muscle quiet: IVIG (ProDERM), MMF; JAK inhibitor later.
    Subtype.DM_SKIN_PREDOMINANT: {
        2: (Agent.IVIG, Agent.MYCOPHENOLATE),
        3: (Agent.TOFACITINIB, Agent.BARICITINIB),
    },
    Subtype.DEFAULT: {2: (), 3: ()},
}

_RATIONALE: dict[Subtype, str] = {
    Subtype.ANTI_HMGCR_IMNM: "anti-HMGCR IMNM: IVIG preferred (§2.4)",
    Subtype.ANTI_SRP_IMNM: "anti-SRP IMNM: rituximab-containing regimens work best (§2.4)",
    Subtype.ANTI_MDA5_ILD: "anti-MDA5 DM with ILD: calcineurin inhibitor, then IV CYC (§2.4)",
    Subtype.ANTISYNTHETASE_ILD: "anti-synthetase ILD: ILD-directed agents (§2.4)",
    Subtype.JUVENILE: "juvenile disease: refractory-JDM options (§2.4)",
    Subtype.DM_SKIN_PREDOMINANT: "DM with refractory skin, muscle quiet: IVIG, MMF (§2.4)",
    Subtype.DEFAULT: "default order of the line (§2.3)",
}

_DEFAULT_ORDER: dict[int, tuple[Agent, ...]] = {2: SECOND_LINE_AGENTS, 3: THIRD_LINE_AGENTS}

# §2.4 anti-MDA5 with rapidly progressive ILD: combination immunosuppression early; used by
# urgent-escalation, which is not bound to a line.
URGENT_ILD_AGENTS: dict[Subtype, tuple[Agent, ...]] = {
    Subtype.ANTI_MDA5_ILD: (
        Agent.TACROLIMUS,
        Agent.CICLOSPORIN,
        Agent.CYCLOPHOSPHAMIDE,
        Agent.TOFACITINIB,
    ),
    Subtype.ANTISYNTHETASE_ILD: (
        Agent.TACROLIMUS,
        Agent.CICLOSPORIN,
        Agent.MYCOPHENOLATE,
        Agent.RITUXIMAB,
        Agent.CYCLOPHOSPHAMIDE,
    ),
}
URGENT_ILD_DEFAULT: tuple[Agent, ...] = (
    Agent.TACROLIMUS,
    Agent.CICLOSPORIN,
    Agent.CYCLOPHOSPHAMIDE,
    Agent.MYCOPHENOLATE,
    Agent.RITUXIMAB,
)


@dataclass(frozen=True, slots=True)
class SubtypeAssessment:
    subtype: Subtype
    evidence: tuple[Evidence, ...]

    @property
    def imnm(self) -> bool:
        return self.subtype in IMNM_SUBTYPES

    @property
    def rationale(self) -> str:
        return _RATIONALE[self.subtype]


def ordered_agents(subtype: Subtype, line: int) -> tuple[Agent, ...]:
    """The agents of one line, the subtype's preferred first, then the default order."""
    preferred = _PREFERENCES[subtype].get(line, ())
    default = _DEFAULT_ORDER[line]
    return (*preferred, *(a for a in default if a not in preferred))


def preference_named(subtype: Subtype, line: int) -> bool:
    """Whether the subtype row names an agent of this line (otherwise the default applies)."""
    return bool(_PREFERENCES[subtype].get(line, ()))


def preferred_agents(subtype: Subtype, line: int) -> tuple[Agent, ...]:
    """The agents the subtype's row names for a line (empty when it names none)."""
    return _PREFERENCES[subtype].get(line, ())
