from __future__ import annotations

import pytest

from cds_service.terminology.checkdigits import (
    code_problem,
    is_valid_icd10cm,
    is_valid_loinc,
    is_valid_rxnorm,
    is_valid_snomed,
    loinc_check_digit,
)
from cds_service.terminology.systems import ICD10CM, normalise_code


@pytest.mark.parametrize("code", ["2157-6", "2532-0", "14804-9", "105551-6", "19870-5"])
def test_known_loinc_codes_pass(code: str) -> None:
    assert is_valid_loinc(code)


@pytest.mark.parametrize("code", ["2157-7", "2532-1", "14804-0", "2157", "ABC-1"])
def test_wrong_loinc_check_digit_or_format_fails(code: str) -> None:
    assert not is_valid_loinc(code)


def test_loinc_check_digit_computation() -> None:
    assert loinc_check_digit("2157") == 6
    assert loinc_check_digit("14805") == 6


@pytest.mark.parametrize("code", ["396230008", "31384009", "72315009", "40930008"])
def test_snomed_verhoeff_passes(code: str) -> None:
    assert is_valid_snomed(code)


@pytest.mark.parametrize("code", ["396230009", "31384008", "12345", "0396230008"])
def test_snomed_wrong_check_digit_or_format_fails(code: str) -> None:
    assert not is_valid_snomed(code)


@pytest.mark.parametrize("code", ["M33.10", "G72.41", "T38.0X5A", "E03.9", "M36.0"])
def test_icd10cm_pattern_accepts(code: str) -> None:
    assert is_valid_icd10cm(code)


@pytest.mark.parametrize("code", ["M3310", "m33.10", "M33.", "33.10", "M33.12345"])
def test_icd10cm_pattern_rejects_non_canonical_table_entries(code: str) -> None:
    assert not is_valid_icd10cm(code)


def test_icd10cm_lookup_form_ignores_dot_and_case() -> None:
    assert normalise_code(ICD10CM, "m33.10") == normalise_code(ICD10CM, "M3310") == "M3310"


def test_rxnorm_digits_only() -> None:
    assert is_valid_rxnorm("8640")
    assert not is_valid_rxnorm("86a0")
    assert not is_valid_rxnorm("")


def test_unknown_system_is_a_problem() -> None:
    assert code_problem("http://example.org/cs", "x") is not None
