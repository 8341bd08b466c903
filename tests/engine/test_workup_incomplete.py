"""workup-incomplete (docs/clinical-logic.md: missing data, "Data gaps")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.engine.concepts import Antibody, FattyReplacement, Measure
from cds_service.engine.date_arithmetic import months_before
from cds_service.engine.findings import FindingCode, Workup
from tests.engine.builders import (
    TODAY,
    ago,
    antibody,
    ck,
    codes,
    fatty,
    first_line,
    flag,
    number,
    only,
    patient,
    refractory_active_dm,
)

CODE = FindingCode.WORKUP_INCOMPLETE


def test_diagnosis_alone_lists_every_gap_in_one_finding() -> None:
    finding = only(patient(), CODE)
    assert finding.workup == (
        Workup.ENZYME_PANEL,
        Workup.STRENGTH_ASSESSMENT,
        Workup.THIGH_MRI_STIR,
        Workup.MYOSITIS_ANTIBODY_PANEL,
    )
    assert len(finding.gaps) == len(finding.workup)
    assert finding.evidence  # the diagnosis it rests on


def test_complete_current_data_has_no_gap() -> None:
    assert CODE not in codes(refractory_active_dm())


@pytest.mark.parametrize(("weeks", "gap"), [(12, False), (13, True)])
def test_enzyme_freshness_boundary(weeks: int, gap: bool) -> None:
    base = refractory_active_dm()
    facts = patient(
        labs=(ck(300, ago(weeks)), *(r for r in base.labs if r.analyte.value == "tsh")),
        antibodies=base.antibodies,
        medications=base.medications,
        measures=base.measures,
    )
    has_gap = CODE in codes(facts) and Workup.ENZYME_PANEL in only(facts, CODE).workup
    assert has_gap is gap
    if gap:
        assert any(e.value.startswith("300 U/L") for e in only(facts, CODE).evidence)


def test_negative_panel_without_tsh_asks_for_tsh() -> None:
    facts = patient(
        labs=(ck(150, ago(2)),),
        antibodies=tuple(
            antibody(a, positive=False) for a in (Antibody.JO1, Antibody.SRP, Antibody.HMGCR)
        ),
        medications=first_line(16),
        measures=(
            number(Measure.MMT8_80, 70, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(5)),
        ),
    )
    assert only(facts, CODE).workup == (Workup.TSH,)


@pytest.mark.parametrize(("strength", "gap"), [(60, True), (80, False)])
def test_old_mri_is_a_gap_only_while_weak(strength: float, gap: bool) -> None:
    old = months_before(TODAY, 13)
    facts = patient(
        labs=(ck(150, ago(2)),),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(16),
        measures=(number(Measure.MMT8_80, strength, ago(2)), fatty(FattyReplacement.NONE, old)),
    )
    assert (CODE in codes(facts)) is gap


def test_fi2_counts_as_a_strength_score() -> None:
    facts = patient(
        labs=(ck(150, ago(2)),),
        antibodies=(antibody(Antibody.MI2),),
        measures=(number(Measure.FI2, 40, ago(2)), flag(Measure.MRI_MUSCLE_EDEMA, False, ago(5))),
    )
    assert CODE not in codes(facts)


def test_a_single_negative_antibody_leaves_the_panel_gap_open() -> None:
    facts = refractory_active_dm()
    one_negative = replace(facts, antibodies=(antibody(Antibody.JO1, positive=False),))
    finding = only(one_negative, FindingCode.WORKUP_INCOMPLETE)
    assert any("panel incomplete" in gap for gap in finding.gaps)
