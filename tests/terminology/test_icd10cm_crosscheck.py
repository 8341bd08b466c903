"""Every ICD-10-CM code in the tables is a valid code of the CMS release in simple-icd-10-cm."""

from __future__ import annotations

import csv
import warnings
from types import ModuleType

import pytest

from cds_service.terminology.systems import ICD10CM

from .conftest import MAPPINGS


def _icd() -> ModuleType:
    with warnings.catch_warnings():  # the package uses a deprecated importlib API on import
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    module: ModuleType = simple_icd_10_cm
    return module


@pytest.mark.slow
def test_every_icd10cm_code_is_valid_in_the_cms_release() -> None:
    icd = _icd()
    with (MAPPINGS / "diagnoses.csv").open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle) if row["system"] == ICD10CM]
    assert len(codes) > 20
    invalid = [code for code in codes if not icd.is_valid_item(code)]
    assert invalid == []


def test_the_crosscheck_can_fail() -> None:
    assert not _icd().is_valid_item("M33.88")
