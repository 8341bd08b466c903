"""What the cards cite, drawn: antibodies, diagnoses, other cited results, therapy and draft
orders ringed when cited; the cited items that cannot be drawn named (synthetic facts)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from cds_service.cards.timeline_page import course_page
from cds_service.cards.timeline_svg import LEFT, CourseMarks, draw_course, drawing_of_course
from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    AntibodyStatus,
    Diagnosis,
    DrugClass,
    Measure,
)
from cds_service.engine.facts import (
    AntibodyResult,
    DiagnosisFact,
    LabResult,
    MeasureResult,
    MedicationExposure,
    PatientFacts,
    SourceRef,
)
from cds_service.engine.order_checks.draft_order import DraftOrder

SVG = "{http://www.w3.org/2000/svg}"
DAY = date(2026, 11, 15)
STATIN_DRAFT = DraftOrder(
    reference="MedicationRequest/draft-atorva",
    selected=True,
    agent=Agent.ATORVASTATIN,
    drug_class=DrugClass.STATIN,
    display="atorvastatin 20 MG Oral Tablet",
)
OTHER_DRAFT = DraftOrder(
    reference="MedicationRequest/draft-para", selected=False, display="paracetamol 500 MG"
)


def antibody(which: Antibody, status: AntibodyStatus, when: date, ref: str) -> AntibodyResult:
    return AntibodyResult(which, status, when, SourceRef(ref, f"Anti-{which.value.upper()}"))


def facts() -> PatientFacts:
    return PatientFacts(
        patient_reference="Patient/p1",
        labs=(
            LabResult(
                Analyte.CK,
                3000,
                "U/L",
                date(2026, 5, 1),
                SourceRef("Observation/ck-1"),
                reference_high=200,
            ),
            LabResult(
                Analyte.CK,
                900,
                "U/L",
                date(2026, 10, 1),
                SourceRef("Observation/ck-2"),
                reference_high=200,
            ),
            LabResult(
                Analyte.TSH,
                9.5,
                "m[IU]/L",
                date(2026, 9, 1),
                SourceRef("Observation/tsh-1", "TSH"),
                reference_high=4,
            ),
            LabResult(
                Analyte.TSH,
                3.1,
                "m[IU]/L",
                date(2026, 6, 1),
                SourceRef("Observation/tsh-0", "TSH"),
                reference_high=4,
            ),
        ),
        antibodies=(
            antibody(Antibody.HMGCR, AntibodyStatus.POSITIVE, date(2026, 5, 20), "Observation/h1"),
            antibody(Antibody.JO1, AntibodyStatus.NEGATIVE, date(2026, 5, 20), "Observation/j1"),
            antibody(
                Antibody.SRP, AntibodyStatus.INDETERMINATE, date(2026, 6, 2), "Observation/s1"
            ),
        ),
        diagnoses=(
            DiagnosisFact(
                Diagnosis.POLYMYOSITIS,
                True,
                SourceRef("Condition/pm", "Polymyositis"),
                onset=date(2026, 5, 1),
            ),
            DiagnosisFact(Diagnosis.HYPOTHYROIDISM, True, SourceRef("Condition/hypo")),
        ),
        measures=(
            MeasureResult(
                Measure.FINGER_FLEXOR_WEAKNESS,
                date(2026, 10, 1),
                SourceRef("Observation/ffw", "Finger flexor weakness"),
                flag=True,
            ),
        ),
        medications=(
            MedicationExposure(
                Agent.PREDNISONE,
                DrugClass.GLUCOCORTICOID,
                True,
                SourceRef("MedicationRequest/pred"),
                start=date(2026, 5, 2),
            ),
            MedicationExposure(
                Agent.IVIG,
                DrugClass.IVIG,
                False,
                SourceRef("MedicationAdministration/ivig"),
                start=None,
            ),
        ),
    )


def marks(cited: set[str], drafts: tuple[DraftOrder, ...] = ()) -> CourseMarks:
    return CourseMarks(
        evaluated_on=DAY, finding_codes=("x",), cited=frozenset(cited), drafts=drafts
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def rings(root: ET.Element) -> list[str]:
    return [e.get("data-cited", "") for e in root.iter() if e.get("class") == "cited"]


def test_antibodies_one_row_each_status_by_shape_and_text() -> None:
    root = parse(draw_course(facts(), marks(set())))
    found = {
        e.get("data-antibody"): (e.tag.removeprefix(SVG), e.get("data-status"), e.get("fill"))
        for e in root.iter()
        if e.get("data-antibody")
    }
    assert found == {
        "hmgcr": ("polygon", "positive", "#922b21"),  # filled triangle
        "jo1": ("circle", "negative", "#fff"),  # open circle
        "srp": ("rect", "indeterminate", "#fff"),  # open square
    }
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"+ pos", "− neg", "? indet."} <= set(texts)
    assert {"Anti-HMGCR", "Anti-JO1", "Anti-SRP"} <= set(texts)  # row labels


def test_cited_results_of_every_kind_are_ringed() -> None:
    cited = {
        "Observation/h1",
        "Observation/ck-2",
        "Condition/pm",
        "MedicationRequest/pred",
        "Observation/tsh-1",
        "Observation/ffw",
    }
    drawing = drawing_of_course(facts(), marks(cited))
    assert sorted(rings(parse(drawing.svg))) == sorted(cited)
    assert drawing.ringed == frozenset(cited)
    assert drawing.not_drawn == ()


def test_other_cited_results_show_the_whole_series_in_words() -> None:
    root = parse(draw_course(facts(), marks({"Observation/tsh-1"})))
    panel = next(e for e in root.iter() if e.get("data-panel") == "other-results")
    tsh = [e for e in panel.iter() if e.get("data-analyte") == "tsh"]
    assert [e.get("data-ref") for e in tsh] == ["Observation/tsh-0", "Observation/tsh-1"]
    assert "9.5 mIU/L" in [t.text for t in panel.iter(f"{SVG}text")]  # units for people
    assert not [e for e in panel.iter() if e.get("data-measure")]  # finger flexors: not cited
    uncited = parse(draw_course(facts(), marks(set())))
    assert "other-results" not in [e.get("data-panel") for e in uncited.iter()]


def test_draft_orders_are_proposed_bars_from_the_evaluation_date() -> None:
    root = parse(
        draw_course(facts(), marks({"MedicationRequest/draft-atorva"}, (STATIN_DRAFT, OTHER_DRAFT)))
    )
    bars = [e for e in root.iter() if e.get("class") == "draft-order"]
    assert [(b.get("data-drug-class"), b.get("data-agent")) for b in bars] == [
        ("statin", "atorvastatin"),
        ("", ""),
    ]
    assert all(b.get("stroke-dasharray") and b.get("fill-opacity") for b in bars)
    finding_line = next(e for e in root.iter() if e.get("class") == "findings")[0]
    assert float(bars[0].get("x", "0")) == float(finding_line.get("x1", "-1"))
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "Statin (draft)" in texts and "Other order (draft)" in texts
    assert "Atorvastatin: draft order, from 2026-11-15" in texts
    assert "paracetamol 500 MG: draft order, not selected, from 2026-11-15" in texts
    assert texts.count("draft") == 2
    assert rings(root) == ["MedicationRequest/draft-atorva"]


def test_what_cannot_be_drawn_is_named_on_the_page() -> None:
    cited = {
        "Patient/p1",
        "MedicationAdministration/ivig",
        "Condition/hypo",
        "Observation/gone",
        "MedicationRequest/draft-not-carried",
        "Observation/h1",
    }
    drawing = drawing_of_course(facts(), marks(cited))
    assert drawing.ringed == {"Observation/h1"}
    named = dict(drawing.not_drawn)
    assert set(named) == cited - {"Observation/h1"}
    assert "age, sex" in named["Patient/p1"]
    assert "no start date" in named["MedicationAdministration/ivig"]
    assert "no onset or recorded date" in named["Condition/hypo"]
    assert "draft order not carried" in named["MedicationRequest/draft-not-carried"]
    assert "not in the patient's record" in named["Observation/gone"]
    html = course_page(facts(), marks(cited))
    assert "Cited by the cards but not drawn" in html
    for reference in named:
        assert f'data-undrawn="{reference}"' in html
    assert "Cited by the cards but not drawn" not in course_page(facts(), marks(set()))


def test_marks_before_the_axis_say_when() -> None:
    old = PatientFacts(
        labs=facts().labs,
        antibodies=(
            antibody(Antibody.MDA5, AntibodyStatus.POSITIVE, date(2019, 3, 1), "Observation/m1"),
        ),
    )
    root = parse(draw_course(old, marks({"Observation/m1"})))
    assert "◀ + pos (2019-03-01)" in [t.text for t in root.iter(f"{SVG}text")]
    assert rings(root) == ["Observation/m1"]
    mark = next(e for e in root.iter() if e.get("data-antibody") == "mda5")
    ring = next(e for e in root.iter() if e.get("class") == "cited")
    assert float(ring.get("cx", "0")) - 9 >= LEFT  # inside the axis, clear of the row label
    assert mark.get("points", "").startswith(f"{float(ring.get('cx', '0')):.1f},")


def test_other_results_name_measures_in_words() -> None:
    ild = MeasureResult(
        Measure.ILD_PROGRESSION,
        date(2026, 10, 1),
        SourceRef("Observation/ild", "Ild progression"),
        flag=True,
    )
    root = parse(draw_course(PatientFacts(measures=(ild,)), marks({"Observation/ild"})))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "ILD progression" in texts and "yes" in texts
