"""suspect-hypothyroidism (clinical-reference.md §2.2)."""

from __future__ import annotations

import pytest

from cds_service.engine.concepts import Diagnosis
from cds_service.engine.findings import FindingCode
from tests.engine.builders import ago, codes, diagnosis, only, refractory_active_dm, tsh

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
