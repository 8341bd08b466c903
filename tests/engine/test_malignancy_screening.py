"""malignancy-screening (docs/clinical-logic.md; the anti-TIF1γ row)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.engine.concepts import Antibody, Diagnosis
from cds_service.engine.findings import FindingCode, Workup
from tests.engine.builders import antibody, codes, diagnosis, only, refractory_active_dm

CODE = FindingCode.MALIGNANCY_SCREENING


@pytest.mark.parametrize("kind", [Antibody.TIF1G, Antibody.NXP2, Antibody.SAE])
def test_fires_alongside_escalation_in_refractory_adult_dm(kind: Antibody) -> None:
    facts = refractory_active_dm(extra_antibodies=(antibody(kind),))
    found = codes(facts)
    assert CODE in found
    assert FindingCode.ESCALATE_SECOND_LINE in found  # suppresses nothing
    assert only(facts, CODE).workup == (Workup.MALIGNANCY_SCREEN,)


def test_not_before_the_disease_is_refractory() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=8, extra_antibodies=(antibody(Antibody.TIF1G),)
    )
    assert CODE not in codes(facts)


def test_not_in_juvenile_dm() -> None:
    facts = refractory_active_dm(
        age=12,
        diagnoses=(diagnosis(Diagnosis.JUVENILE_DERMATOMYOSITIS),),
        extra_antibodies=(antibody(Antibody.TIF1G),),
    )
    assert CODE not in codes(facts)


def test_not_in_polymyositis_or_with_a_negative_result() -> None:
    pm = refractory_active_dm(
        diagnoses=(diagnosis(Diagnosis.POLYMYOSITIS),), extra_antibodies=(antibody(Antibody.TIF1G),)
    )
    negative = refractory_active_dm(extra_antibodies=(antibody(Antibody.TIF1G, positive=False),))
    assert CODE not in codes(pm)
    assert CODE not in codes(negative)


def test_unknown_birth_date_does_not_fire_but_asks_for_it() -> None:
    facts = replace(
        refractory_active_dm(extra_antibodies=(antibody(Antibody.TIF1G),)), birth_date=None
    )
    found = codes(facts)
    assert CODE not in found
    gaps = only(facts, FindingCode.WORKUP_INCOMPLETE).gaps
    assert any("birth date" in g.lower() for g in gaps)


def test_unknown_birth_date_without_a_cancer_antibody_is_no_gap() -> None:
    facts = replace(refractory_active_dm(), birth_date=None)
    assert FindingCode.WORKUP_INCOMPLETE not in codes(facts)
