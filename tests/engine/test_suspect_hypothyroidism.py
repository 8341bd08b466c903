"""suspect-hypothyroidism (docs/clinical-logic.md)."""

from __future__ import annotations

import pytest

from cds_service.engine.concepts import Antibody, Diagnosis, Measure
from cds_service.engine.findings import FindingCode, Workup
from tests.engine.builders import (
    ago,
    antibody,
    ck,
    codes,
    diagnosis,
    first_line,
    flag,
    number,
    only,
    patient,
    refractory_active_dm,
    tsh,
)

CODE = FindingCode.SUSPECT_HYPOTHYROIDISM


@pytest.mark.parametrize(("value", "fires"), [(4.0, False), (4.1, True), (12.0, True)])
def test_tsh_above_the_results_own_range(value: float, fires: bool) -> None:
    facts = refractory_active_dm(extra_labs=(tsh(value, ago(1), high=4.0),))
    found = codes(facts)
    assert (CODE in found) is fires
    assert (FindingCode.ESCALATE_SECOND_LINE in found) is not fires  # suppression


def test_range_comes_from_the_result() -> None:
    # 5.0 is high against 4.0 but normal against a lab whose range ends at 5.5.
    assert CODE not in codes(refractory_active_dm(extra_labs=(tsh(5.0, ago(1), high=5.5),)))


def test_latest_tsh_decides() -> None:
    facts = refractory_active_dm(extra_labs=(tsh(9.0, ago(10)), tsh(2.5, ago(1))))
    assert CODE not in codes(facts)


@pytest.mark.parametrize(("active", "fires"), [(True, True), (False, False)])
def test_hypothyroidism_condition(active: bool, fires: bool) -> None:
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.HYPOTHYROIDISM, active=active))
    )
    assert (CODE in codes(facts)) is fires
    if fires:
        assert only(facts, CODE).evidence[0].value.startswith("hypothyroidism")


def test_a_current_normal_tsh_outweighs_a_treated_hypothyroidism_condition() -> None:
    # Treated hypothyroidism: the Condition stays active, the TSH of last month is normal.
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.HYPOTHYROIDISM)),
        extra_labs=(tsh(1.8, ago(4)),),
    )
    found = codes(facts)
    assert CODE not in found
    assert FindingCode.ESCALATE_SECOND_LINE in found


def test_the_condition_counts_when_no_current_tsh_exists() -> None:
    # refractory_active_dm's only TSH is 20 weeks old (not current, fresh_labs_weeks = 12).
    facts = refractory_active_dm(diagnoses=(diagnosis(), diagnosis(Diagnosis.HYPOTHYROIDISM)))
    assert CODE in codes(facts)


def test_a_stale_high_tsh_alone_does_not_fire_but_asks_for_a_new_tsh() -> None:
    facts = patient(
        labs=(ck(1200, ago(2)), tsh(6.0, ago(200))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(16),
        measures=(
            number(Measure.MMT8_80, 62, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, True, ago(6)),
        ),
    )
    found = codes(facts)
    assert CODE not in found
    assert FindingCode.ESCALATE_SECOND_LINE in found
    gap = only(facts, FindingCode.WORKUP_INCOMPLETE)
    assert gap.workup == (Workup.TSH,)
    assert any("TSH" in g and "high" in g for g in gap.gaps)
