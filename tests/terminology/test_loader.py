"""Each refusal of the loader, shown on a temporary copy of the real tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds_service.engine.concepts import Agent, Analyte, Antibody, Diagnosis, DrugClass, Measure
from cds_service.engine.findings import Workup
from cds_service.terminology import (
    TerminologyError,
    check_mappings,
    load_terminology,
)
from cds_service.terminology.check import main, update_hashes
from cds_service.terminology.systems import ICD10CM, LOINC, MEASURES, RXNORM, SNOMED

from .conftest import MAPPINGS


def _replace(path: Path, old: str, new: str, *, rehash: bool = True) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if rehash:
        update_hashes(path.parent)


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    update_hashes(path.parent)


def _problems_of(tables: Path) -> str:
    with pytest.raises(TerminologyError) as caught:
        load_terminology(tables)
    assert list(caught.value.problems) == check_mappings(tables)
    return "\n".join(caught.value.problems)


def test_shipped_tables_are_clean() -> None:
    assert check_mappings(MAPPINGS) == []


def test_bad_loinc_check_digit_is_refused(tables: Path) -> None:
    _replace(tables / "labs.csv", ",2157-6,", ",2157-7,")
    assert "LOINC check digit is wrong (2157-7)" in _problems_of(tables)


def test_bad_snomed_verhoeff_is_refused(tables: Path) -> None:
    _replace(tables / "diagnoses.csv", ",396230008,", ",396230007,")
    assert "Verhoeff check digit is wrong (396230007)" in _problems_of(tables)


def test_bad_icd10cm_pattern_is_refused(tables: Path) -> None:
    _replace(tables / "diagnoses.csv", ",M33.10,", ",M33-10,")
    assert "not an ICD-10-CM code" in _problems_of(tables)


def test_non_digit_rxnorm_is_refused(tables: Path) -> None:
    _replace(tables / "medication_codes.csv", ",8640,", ",8640a,")
    assert "RxNorm RXCUI must be digits only (8640a)" in _problems_of(tables)


def test_code_mapped_to_two_concepts_is_refused(tables: Path) -> None:
    _append(
        tables / "labs.csv",
        "aldolase,http://loinc.org,2157-6,duplicate,U/L,VERIFIED,test",
    )
    assert "code 2157-6 is mapped to two concepts" in _problems_of(tables)


def test_missing_required_concept_is_refused(tables: Path) -> None:
    path = tables / "labs.csv"
    kept = [line for line in path.read_text().splitlines() if not line.startswith("aldolase,")]
    path.write_text("\n".join(kept) + "\n")
    update_hashes(tables)
    assert "required analyte 'aldolase' has no code in any table" in _problems_of(tables)


def test_agent_without_names_is_refused(tables: Path) -> None:
    _replace(tables / "medications.csv", "tofacitinib|Xeljanz", "")
    assert "required agent 'tofacitinib' has no row with names" in _problems_of(tables)


def test_sha_mismatch_is_refused(tables: Path) -> None:
    _replace(tables / "labs.csv", "Myoglobin [Mass", "Myoglobin  [Mass", rehash=False)
    assert "labs.csv: sha256 in manifest.toml does not match the file" in _problems_of(tables)


def test_every_problem_is_listed_at_once(tables: Path) -> None:
    _replace(tables / "labs.csv", ",2157-6,", ",2157-7,", rehash=False)
    _replace(tables / "diagnoses.csv", ",396230008,", ",396230007,", rehash=False)
    problems = _problems_of(tables)
    assert "LOINC check digit" in problems
    assert "Verhoeff" in problems
    assert "labs.csv: sha256" in problems
    assert "diagnoses.csv: sha256" in problems


def test_unknown_concept_is_refused(tables: Path) -> None:
    _append(tables / "labs.csv", "troponin,http://loinc.org,6598-7,Troponin T,ng/mL,VERIFIED,x")
    assert "unknown concept 'troponin'" in _problems_of(tables)


def test_check_cli_exit_codes(tables: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tables)]) == 0
    _replace(tables / "labs.csv", "Myoglobin [Mass", "Myoglobin  [Mass", rehash=False)
    assert main([str(tables)]) == 1
    assert main([str(tables), "--update-hashes"]) == 0
    assert "OK" in capsys.readouterr().out


def test_lookups() -> None:
    terminology = load_terminology(MAPPINGS)
    assert terminology.lab(LOINC, "14804-9") is Analyte.LDH
    assert terminology.lab(LOINC, "14805-6") is Analyte.LDH
    assert terminology.antibody(LOINC, "5234-0") is Antibody.JO1
    assert (
        terminology.antibody(
            "https://myositis-cds.org/fhir/CodeSystem/myositis-antibodies", "hmgcr"
        )
        is Antibody.HMGCR
    )
    assert terminology.measure(MEASURES, "mmt8-80") is Measure.MMT8_80
    assert terminology.diagnosis(ICD10CM, "M33.10") is Diagnosis.DERMATOMYOSITIS
    assert terminology.diagnosis(ICD10CM, "M3310") is Diagnosis.DERMATOMYOSITIS
    assert terminology.diagnosis(SNOMED, "72315009") is Diagnosis.INCLUSION_BODY_MYOSITIS
    assert terminology.medication(RXNORM, "6851") is Agent.METHOTREXATE
    assert terminology.medication(RXNORM, "616435") is Agent.MYCOPHENOLATE
    assert terminology.lab(SNOMED, "2157-6") is None
    assert terminology.lab(LOINC, "2157-6") is Analyte.CK
    assert terminology.antibody(LOINC, "2157-6") is None
    assert terminology.is_relevant(LOINC, "2157-6")
    assert not terminology.is_relevant(LOINC, "2345-7")
    assert terminology.display(ICD10CM, "G72.41") == "Inclusion body myositis [IBM]"


def test_agents_classes_lines_and_codes() -> None:
    terminology = load_terminology(MAPPINGS)
    assert terminology.drug_class(Agent.CICLOSPORIN) is DrugClass.CALCINEURIN_INHIBITOR
    assert terminology.usual_line(Agent.IVIG) == 2
    assert terminology.usual_line(Agent.RITUXIMAB) == 3
    assert terminology.usual_line(Agent.ATORVASTATIN) is None
    assert terminology.medication(RXNORM, "68149") is Agent.MYCOPHENOLATE  # MMF
    assert terminology.medication(RXNORM, "7145") is Agent.MYCOPHENOLATE  # mycophenolic acid
    assert terminology.medication(RXNORM, "5666") is Agent.IVIG
    assert terminology.prednisone_factor(Agent.METHYLPREDNISOLONE) == 1.25


@pytest.mark.parametrize(
    ("text", "agent"),
    [
        ("Cyclosporine 100 mg capsule", Agent.CICLOSPORIN),
        ("ciclosporin", Agent.CICLOSPORIN),
        ("IVIG 2 g/kg", Agent.IVIG),
        ("Immune Globulin Intravenous (Human) 10%", Agent.IVIG),
        ("normal human immunoglobulin", Agent.IVIG),
        ("Mycophenolate mofetil 500 mg", Agent.MYCOPHENOLATE),
        ("mycophenolic acid DR tablet", Agent.MYCOPHENOLATE),
        ("CellCept", Agent.MYCOPHENOLATE),
        ("tofacitinib 5 mg", Agent.TOFACITINIB),
        ("Olumiant 4mg", Agent.BARICITINIB),
        ("Solu-Medrol 500 mg IV", Agent.METHYLPREDNISOLONE),
        ("methylprednisolone", Agent.METHYLPREDNISOLONE),
    ],
)
def test_medication_by_name(text: str, agent: Agent) -> None:
    assert load_terminology(MAPPINGS).medication_by_name(text) is agent


@pytest.mark.parametrize("text", ["paracetamol", "prednisolonex", "", "steroid"])
def test_medication_by_name_needs_whole_words(text: str) -> None:
    assert load_terminology(MAPPINGS).medication_by_name(text) is None


def test_terminology_is_immutable() -> None:
    terminology = load_terminology(MAPPINGS)
    with pytest.raises(AttributeError):
        terminology.codings = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        terminology.codings[(LOINC, "1-8")] = Analyte.CK  # type: ignore[index]


# --- orders.csv: the codes create actions write ------------------------------------------


def test_order_codes_are_the_verified_rows() -> None:
    terminology = load_terminology(MAPPINGS)
    (mmf,) = terminology.order_codes(Agent.MYCOPHENOLATE.value)
    assert (mmf.system, mmf.code, mmf.display) == (RXNORM, "68149", "mycophenolate mofetil")
    (ivig,) = terminology.order_codes(Agent.IVIG.value)
    assert (ivig.code, ivig.display) == ("5666", "immunoglobulin G")
    enzymes = terminology.order_codes(Workup.ENZYME_PANEL.value)
    assert [c.code for c in enzymes] == ["2157-6", "2532-0", "1761-6", "1920-8", "1742-6"]
    assert {terminology.lab(LOINC, c.code) for c in enzymes} == {
        Analyte.CK,
        Analyte.LDH,
        Analyte.ALDOLASE,
        Analyte.AST,
        Analyte.ALT,
    }
    (mri,) = terminology.order_codes(Workup.THIGH_MRI_STIR.value)
    assert (mri.system, mri.code) == (SNOMED, "241640003")
    assert terminology.order_codes(Workup.MYOSITIS_ANTIBODY_PANEL.value) == ()
    assert terminology.order_codes(Agent.PREDNISONE.value) == ()
    assert terminology.is_verified(LOINC, "2157-6")
    assert not terminology.is_verified(RXNORM, "7145")


def test_unverified_order_row_is_refused(tables: Path) -> None:
    _replace(
        tables / "orders.csv", ",1357536,tofacitinib,VERIFIED,", ",1357536,tofacitinib,SECONDARY,"
    )
    assert "a create action's code must be VERIFIED (1357536 is 'SECONDARY')" in _problems_of(
        tables
    )


def test_order_code_read_as_another_agent_is_refused(tables: Path) -> None:
    rxnorm_mmf = "mycophenolate,http://www.nlm.nih.gov/research/umls/rxnorm,68149,"
    _replace(tables / "orders.csv", rxnorm_mmf, rxnorm_mmf.replace("68149", "42316"))
    assert "RxNorm 42316 is read as tacrolimus in medication_codes.csv, not as mycophenolate" in (
        _problems_of(tables)
    )


def test_mofetil_label_on_mycophenolic_acid_code_is_refused(tables: Path) -> None:
    """The mislabelling of issue 11: MMF ordered with the RXCUI of mycophenolic acid."""
    _replace(tables / "orders.csv", ",68149,mycophenolate mofetil,", ",7145,mycophenolate mofetil,")
    assert "display of 7145 differs from the reading table's ('mycophenolic acid')" in (
        _problems_of(tables)
    )


def test_order_display_must_match_the_reading_table(tables: Path) -> None:
    _replace(tables / "orders.csv", "2157-6,Creatine kinase [", "2157-6,Creatine kinase MB [")
    assert "display of 2157-6 differs from the reading table's" in _problems_of(tables)


def test_order_in_a_system_it_cannot_be_ordered_in_is_refused(tables: Path) -> None:
    _append(tables / "orders.csv", "ivig,http://loinc.org,2157-6,x,VERIFIED,x")
    assert "ivig cannot be ordered in http://loinc.org" in _problems_of(tables)


def test_unknown_order_is_refused(tables: Path) -> None:
    _append(tables / "orders.csv", "pet-scan,http://snomed.info/sct,241640003,x,VERIFIED,x")
    assert "unknown order 'pet-scan'" in _problems_of(tables)
