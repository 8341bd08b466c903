"""Short human labels for evidence tables (``SourceRef.display``): test names, never values."""

from __future__ import annotations

from cds_service.engine.concepts import Agent, Analyte, Antibody, Diagnosis, Measure

ANALYTE_LABELS: dict[Analyte, str] = {
    Analyte.CK: "CK",
    Analyte.LDH: "LDH",
    Analyte.ALDOLASE: "Aldolase",
    Analyte.AST: "AST",
    Analyte.ALT: "ALT",
    Analyte.MYOGLOBIN: "Myoglobin",
    Analyte.TSH: "TSH",
    Analyte.FREE_T4: "Free T4",
    Analyte.FERRITIN: "Ferritin",
    Analyte.FVC_PERCENT_PREDICTED: "FVC % predicted",
}

_ANTIBODY_NAMES: dict[Antibody, str] = {
    Antibody.JO1: "Jo-1",
    Antibody.PL7: "PL-7",
    Antibody.PL12: "PL-12",
    Antibody.EJ: "EJ",
    Antibody.OJ: "OJ",
    Antibody.MI2: "Mi-2",
    Antibody.MDA5: "MDA5",
    Antibody.TIF1G: "TIF1γ",
    Antibody.NXP2: "NXP2",
    Antibody.SAE: "SAE",
    Antibody.SRP: "SRP",
    Antibody.HMGCR: "HMGCR",
    Antibody.CN1A: "cN1A",
    Antibody.RO52: "Ro52",
    Antibody.PM_SCL_100: "PM/Scl-100",
    Antibody.PM_SCL_75: "PM/Scl-75",
    Antibody.KU: "Ku",
    Antibody.U1RNP: "U1-RNP",
    Antibody.ANA: "ANA",
}

_MEASURE_NAMES: dict[Measure, str] = {
    Measure.MMT8_80: "MMT-8 (0-80)",
    Measure.MMT8_150: "MMT-8 (0-150)",
    Measure.CMAS: "CMAS",
    Measure.FI2: "FI-2",
    Measure.HAQ_DI: "HAQ-DI",
    Measure.MRI_MUSCLE_EDEMA: "MRI muscle edema",
    Measure.MRI_FATTY_REPLACEMENT: "MRI fatty replacement",
    Measure.FVC_PERCENT_PREDICTED: "FVC % predicted",
}


def antibody_label(antibody: Antibody) -> str:
    return "ANA" if antibody is Antibody.ANA else f"Anti-{_ANTIBODY_NAMES[antibody]}"


def measure_label(measure: Measure) -> str:
    return _MEASURE_NAMES.get(measure) or str(measure).replace("-", " ").capitalize()


def diagnosis_label(diagnosis: Diagnosis) -> str:
    return str(diagnosis).replace("-", " ").capitalize()


def agent_label(agent: Agent) -> str:
    return "IVIG" if agent is Agent.IVIG else str(agent).capitalize()
