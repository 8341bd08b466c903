"""Which engine concepts must be mappable before the service may start.

Every Analyte, Antibody and Measure needs at least one code: the rules read all of them, and
the project code systems cover what has no standard code (docs/mappings.md). Every Agent
needs a row in ``medications.csv`` with at least one name, so that it can be recognised in text
even where its RxNorm code is not verified (fluvastatin, lovastatin, pitavastatin).

Diagnoses: all need a code except steroid myopathy and statin myopathy. Neither has a verified
SNOMED CT code nor a single ICD-10-CM code (they are coded as G72.0 plus a T-code, and G72.0
already maps to drug-induced myopathy); the engine recognises
them from exposure and clinical data instead (docs/clinical-logic.md, suspect-steroid-myopathy
and statin-and-hmgcr).
"""

from __future__ import annotations

from cds_service.engine.concepts import Agent, Analyte, Antibody, Diagnosis, Measure

OPTIONAL_DIAGNOSES: frozenset[Diagnosis] = frozenset(
    {Diagnosis.STEROID_MYOPATHY, Diagnosis.STATIN_MYOPATHY}
)

REQUIRED_ANALYTES: frozenset[Analyte] = frozenset(Analyte)
REQUIRED_ANTIBODIES: frozenset[Antibody] = frozenset(Antibody)
REQUIRED_MEASURES: frozenset[Measure] = frozenset(Measure)
REQUIRED_DIAGNOSES: frozenset[Diagnosis] = frozenset(Diagnosis) - OPTIONAL_DIAGNOSES
REQUIRED_AGENTS: frozenset[Agent] = frozenset(Agent)
