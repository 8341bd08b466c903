"""The clinical concepts the engine reasons about.

Terminology tables (``mappings/``) map standard codes onto these names; the loader refuses a
table that names a concept not listed here, and refuses to start when a concept the engine
needs has no code at all (docs/mappings.md).
"""

from __future__ import annotations

from enum import StrEnum


class Analyte(StrEnum):
    """Laboratory analytes read from Observations (docs/mappings.md)."""

    CK = "ck"
    LDH = "ldh"
    ALDOLASE = "aldolase"
    AST = "ast"
    ALT = "alt"
    MYOGLOBIN = "myoglobin"
    TSH = "tsh"
    FREE_T4 = "free-t4"
    FERRITIN = "ferritin"
    FVC_PERCENT_PREDICTED = "fvc-percent-predicted"


MUSCLE_ENZYMES: frozenset[Analyte] = frozenset(
    {Analyte.CK, Analyte.LDH, Analyte.ALDOLASE, Analyte.AST, Analyte.ALT}
)


class Antibody(StrEnum):
    """Myositis-specific and -associated autoantibodies (docs/mappings.md)."""

    JO1 = "jo1"
    PL7 = "pl7"
    PL12 = "pl12"
    EJ = "ej"
    OJ = "oj"
    MI2 = "mi2"
    MDA5 = "mda5"
    TIF1G = "tif1g"
    NXP2 = "nxp2"
    SAE = "sae"
    SRP = "srp"
    HMGCR = "hmgcr"
    CN1A = "cn1a"
    RO52 = "ro52"
    PM_SCL_100 = "pm-scl-100"
    PM_SCL_75 = "pm-scl-75"
    KU = "ku"
    U1RNP = "u1rnp"
    ANA = "ana"


ANTISYNTHETASE_ANTIBODIES: frozenset[Antibody] = frozenset(
    {Antibody.JO1, Antibody.PL7, Antibody.PL12, Antibody.EJ, Antibody.OJ}
)
MYOSITIS_SPECIFIC_ANTIBODIES: frozenset[Antibody] = ANTISYNTHETASE_ANTIBODIES | frozenset(
    {
        Antibody.MI2,
        Antibody.MDA5,
        Antibody.TIF1G,
        Antibody.NXP2,
        Antibody.SAE,
        Antibody.SRP,
        Antibody.HMGCR,
        Antibody.CN1A,
    }
)
MYOSITIS_ASSOCIATED_ANTIBODIES: frozenset[Antibody] = frozenset(
    {Antibody.RO52, Antibody.PM_SCL_100, Antibody.PM_SCL_75, Antibody.KU, Antibody.U1RNP}
)
CANCER_ASSOCIATED_ANTIBODIES: frozenset[Antibody] = frozenset(
    {Antibody.TIF1G, Antibody.NXP2, Antibody.SAE}
)


class Diagnosis(StrEnum):
    """Diagnoses: IIM subtypes, mimics and relevant comorbidities (§5.4, §5.5)."""

    DERMATOMYOSITIS = "dermatomyositis"
    JUVENILE_DERMATOMYOSITIS = "juvenile-dermatomyositis"
    POLYMYOSITIS = "polymyositis"
    INFLAMMATORY_MYOPATHY_OTHER = "inflammatory-myopathy-other"
    DERMATOMYOSITIS_NEOPLASTIC = "dermatomyositis-neoplastic"
    INCLUSION_BODY_MYOSITIS = "inclusion-body-myositis"
    INTERSTITIAL_LUNG_DISEASE = "interstitial-lung-disease"
    HYPOTHYROIDISM = "hypothyroidism"
    MUSCULAR_DYSTROPHY = "muscular-dystrophy"
    DRUG_INDUCED_MYOPATHY = "drug-induced-myopathy"
    STEROID_MYOPATHY = "steroid-myopathy"
    STATIN_MYOPATHY = "statin-myopathy"
    # A dysphagia Condition (ICD-10-CM R13.1x): IVIG for dysphagia in IBM (order-line-guidance).
    DYSPHAGIA = "dysphagia"


IIM_DIAGNOSES: frozenset[Diagnosis] = frozenset(
    {
        Diagnosis.DERMATOMYOSITIS,
        Diagnosis.JUVENILE_DERMATOMYOSITIS,
        Diagnosis.POLYMYOSITIS,
        Diagnosis.INFLAMMATORY_MYOPATHY_OTHER,
        Diagnosis.DERMATOMYOSITIS_NEOPLASTIC,
        # A coded IBM is an IIM Condition for the gate; suspect-ibm then holds by itself.
        Diagnosis.INCLUSION_BODY_MYOSITIS,
    }
)
DERMATOMYOSITIS_DIAGNOSES: frozenset[Diagnosis] = frozenset(
    {
        Diagnosis.DERMATOMYOSITIS,
        Diagnosis.JUVENILE_DERMATOMYOSITIS,
        Diagnosis.DERMATOMYOSITIS_NEOPLASTIC,
    }
)


class DrugClass(StrEnum):
    """Drug classes; duplicates are judged by class (docs/clinical-logic.md,
    "order-duplicate-immunosuppressant")."""

    GLUCOCORTICOID = "glucocorticoid"
    CSDMARD = "csdmard"
    ANTIMETABOLITE = "antimetabolite"
    CALCINEURIN_INHIBITOR = "calcineurin-inhibitor"
    IVIG = "ivig"
    ANTI_CD20 = "anti-cd20"
    ALKYLATING = "alkylating"
    JAK_INHIBITOR = "jak-inhibitor"
    COSTIMULATION_BLOCKER = "costimulation-blocker"
    STATIN = "statin"
    ANTIMALARIAL = "antimalarial"


class Agent(StrEnum):
    """Medication ingredients, named as the engine reasons about them."""

    PREDNISONE = "prednisone"
    PREDNISOLONE = "prednisolone"
    METHYLPREDNISOLONE = "methylprednisolone"
    METHOTREXATE = "methotrexate"
    AZATHIOPRINE = "azathioprine"
    MYCOPHENOLATE = "mycophenolate"
    TACROLIMUS = "tacrolimus"
    CICLOSPORIN = "ciclosporin"
    IVIG = "ivig"
    RITUXIMAB = "rituximab"
    CYCLOPHOSPHAMIDE = "cyclophosphamide"
    ABATACEPT = "abatacept"
    TOFACITINIB = "tofacitinib"
    BARICITINIB = "baricitinib"
    HYDROXYCHLOROQUINE = "hydroxychloroquine"
    ATORVASTATIN = "atorvastatin"
    SIMVASTATIN = "simvastatin"
    ROSUVASTATIN = "rosuvastatin"
    PRAVASTATIN = "pravastatin"
    FLUVASTATIN = "fluvastatin"
    LOVASTATIN = "lovastatin"
    PITAVASTATIN = "pitavastatin"


class Measure(StrEnum):
    """Clinical measures in the project code system (docs/mappings.md)."""

    MMT8_80 = "mmt8-80"
    MMT8_150 = "mmt8-150"
    CMAS = "cmas"
    FI2 = "fi2"
    PHYSICIAN_GLOBAL_ACTIVITY = "physician-global-activity"
    PATIENT_GLOBAL_ACTIVITY = "patient-global-activity"
    EXTRAMUSCULAR_GLOBAL_ACTIVITY = "extramuscular-global-activity"
    HAQ_DI = "haq-di"
    NECK_FLEXOR_STRENGTH = "neck-flexor-strength"
    FINGER_FLEXOR_WEAKNESS = "finger-flexor-weakness"
    ASYMMETRIC_WEAKNESS = "asymmetric-weakness"
    DYSPHAGIA = "dysphagia"
    MRI_MUSCLE_EDEMA = "mri-muscle-edema"
    MRI_FATTY_REPLACEMENT = "mri-fatty-replacement"
    FVC_PERCENT_PREDICTED = "fvc-percent-predicted"
    ILD_PROGRESSION = "ild-progression"
    # Project additions: biopsy and classification items.
    BIOPSY_RIMMED_VACUOLES = "biopsy-rimmed-vacuoles"
    BIOPSY_INFLAMMATION = "biopsy-inflammation"
    BIOPSY_PERIFASCICULAR_ATROPHY = "biopsy-perifascicular-atrophy"
    HELIOTROPE_RASH = "heliotrope-rash"
    GOTTRON_PAPULES = "gottron-papules"
    GOTTRON_SIGN = "gottron-sign"
    PROXIMAL_WEAKNESS_UPPER = "proximal-weakness-upper"
    PROXIMAL_WEAKNESS_LOWER = "proximal-weakness-lower"
    NECK_FLEXORS_WEAKER_THAN_EXTENSORS = "neck-flexors-weaker-than-extensors"
    LEGS_PROXIMAL_WEAKER_THAN_DISTAL = "legs-proximal-weaker-than-distal"


STRENGTH_SCALE_MAXIMUM: dict[Measure, float] = {
    Measure.MMT8_80: 80.0,
    Measure.MMT8_150: 150.0,
    Measure.CMAS: 52.0,
}


class FattyReplacement(StrEnum):
    """T1 fatty replacement grade (docs/clinical-logic.md, conventions)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class AntibodyStatus(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    INDETERMINATE = "indeterminate"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"
