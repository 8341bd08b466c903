"""How agents, work-up and findings are named on a card."""

from __future__ import annotations

from cds_service.engine.concepts import Agent
from cds_service.engine.findings import Workup
from cds_service.engine.registry import FINDING_TITLES as REGISTERED_TITLES

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


# Card titles are declared with each rule (engine/registry.py); re-exported for the renderers.
FINDING_TITLES = REGISTERED_TITLES


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
