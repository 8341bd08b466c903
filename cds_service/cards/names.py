"""How agents, work-up and findings are named on a card."""

from __future__ import annotations

from cds_service.engine.concepts import Agent
from cds_service.engine.findings import FindingCode, Workup

AGENT_NAMES: dict[Agent, str] = {
    Agent.PREDNISONE: "Prednisone",
    Agent.PREDNISOLONE: "Prednisolone",
    Agent.METHYLPREDNISOLONE: "Methylprednisolone",
    Agent.METHOTREXATE: "Methotrexate",
    Agent.AZATHIOPRINE: "Azathioprine",
    Agent.MYCOPHENOLATE: "Mycophenolate mofetil",
    Agent.TACROLIMUS: "Tacrolimus",
    Agent.CICLOSPORIN: "Ciclosporin",
    Agent.IVIG: "IVIG",
    Agent.RITUXIMAB: "Rituximab",
    Agent.CYCLOPHOSPHAMIDE: "Cyclophosphamide",
    Agent.ABATACEPT: "Abatacept",
    Agent.TOFACITINIB: "Tofacitinib",
    Agent.BARICITINIB: "Baricitinib",
    Agent.HYDROXYCHLOROQUINE: "Hydroxychloroquine",
    Agent.ATORVASTATIN: "Atorvastatin",
    Agent.SIMVASTATIN: "Simvastatin",
    Agent.ROSUVASTATIN: "Rosuvastatin",
    Agent.PRAVASTATIN: "Pravastatin",
    Agent.FLUVASTATIN: "Fluvastatin",
    Agent.LOVASTATIN: "Lovastatin",
    Agent.PITAVASTATIN: "Pitavastatin",
}


def agent_name(agent: Agent) -> str:
    return AGENT_NAMES.get(agent, agent.value.capitalize())


FINDING_TITLES: dict[FindingCode, str] = {
    FindingCode.ESCALATE_SECOND_LINE: "Escalate to second-line therapy",
    FindingCode.ESCALATE_THIRD_LINE: "Escalate to third-line therapy",
    FindingCode.URGENT_ESCALATION: "Urgent escalation: rapidly progressive ILD",
    FindingCode.REASSESS_ACTIVITY_VS_DAMAGE: "Reassess activity versus damage",
    FindingCode.WEAKNESS_LIKELY_DAMAGE: "Weakness likely reflects damage",
    FindingCode.REASSESS_DIAGNOSIS: "Reassess the diagnosis",
    FindingCode.SUSPECT_IBM: "Suspect inclusion body myositis",
    FindingCode.SUSPECT_STEROID_MYOPATHY: "Suspect glucocorticoid myopathy",
    FindingCode.SUSPECT_HYPOTHYROIDISM: "Suspect hypothyroidism",
    FindingCode.STATIN_AND_HMGCR: "Statin with anti-HMGCR myopathy",
    FindingCode.MALIGNANCY_SCREENING: "Re-screen for malignancy",
    FindingCode.WORKUP_INCOMPLETE: "Work-up incomplete",
    FindingCode.ORDER_STATIN_WITH_HMGCR: "Statin ordered with anti-HMGCR myopathy",
    FindingCode.ORDER_ESCALATION_NOT_SUPPORTED: "Escalation not supported by the evidence",
    FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT: "Duplicate immunosuppressant",
    FindingCode.ORDER_LINE_GUIDANCE: "Line-of-therapy guidance",
}


# (label of the suggestion, what the work-up is, in words). The codes an order carries come
# from mappings/orders.csv (verified rows only); work-up without one stays as text on the card.
WORKUP_TEXTS: dict[Workup, tuple[str, str]] = {
    Workup.ENZYME_PANEL: (
        "Order muscle enzymes (CK, LDH, aldolase, AST, ALT)",
        "Muscle enzymes: CK, LDH, aldolase, AST and ALT",
    ),
    Workup.THIGH_MRI_STIR: (
        "Order MRI of the thighs",
        "MRI of both thighs with STIR / fat-suppressed T2 and T1 sequences",
    ),
    Workup.MYOSITIS_ANTIBODY_PANEL: (
        "Order myositis antibody panel",
        "Myositis-specific and -associated antibody panel (line blot)",
    ),
    Workup.TSH: ("Order TSH", "Thyrotropin (TSH)"),
    Workup.STRENGTH_ASSESSMENT: (
        "Record MMT-8 (or CMAS)",
        "Manual muscle testing (MMT-8) or CMAS and functional index",
    ),
    Workup.MUSCLE_BIOPSY: (
        "Request muscle biopsy",
        "Muscle biopsy (MRI-guided), with review for rimmed vacuoles and inflammation",
    ),
    Workup.MALIGNANCY_SCREEN: (
        "Order malignancy screening",
        "Malignancy screening for cancer-associated myositis (per local protocol)",
    ),
}

# What a ServiceRequest adds in words to its coded test or procedure.
WORKUP_NOTES: dict[Workup, str] = {
    Workup.THIGH_MRI_STIR: "Both thighs; STIR / fat-suppressed T2 and T1 sequences",
    Workup.MUSCLE_BIOPSY: "MRI-guided site; review for rimmed vacuoles and inflammation",
}
