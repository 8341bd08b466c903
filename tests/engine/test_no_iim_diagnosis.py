"""Patients without an active IIM diagnosis get at most statin-and-hmgcr / urgent-escalation."""

from __future__ import annotations

from cds_service.engine.concepts import Diagnosis
from tests.engine.builders import codes, diagnosis, patient, refractory_active_dm


def test_everything_active_but_no_iim_diagnosis_gives_nothing() -> None:
    base = refractory_active_dm()
    facts = patient(
        diagnoses=(diagnosis(Diagnosis.MUSCULAR_DYSTROPHY),),
        labs=base.labs,
        antibodies=base.antibodies,
        medications=base.medications,
        measures=base.measures,
    )
    assert codes(facts) == set()


def test_inactive_iim_diagnosis_counts_as_none() -> None:
    facts = refractory_active_dm(diagnoses=(diagnosis(active=False),))
    assert codes(facts) == set()
