"""The course drawing: what is drawn where, from synthetic facts (no HTTP)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from cds_service.cards.timeline_page import course_page, message_page
from cds_service.cards.timeline_svg import LEFT, PLOT_WIDTH, CourseMarks, draw_course
from cds_service.engine.concepts import Agent, Analyte, DrugClass, FattyReplacement, Measure
from cds_service.engine.facts import (
    LabResult,
    MeasureResult,
    MedicationExposure,
    PatientFacts,
    SourceRef,
)

SVG = "{http://www.w3.org/2000/svg}"
DAY = date(2026, 11, 15)


def lab(analyte: Analyte, value: float, high: float | None, when: date, ref: str) -> LabResult:
    return LabResult(
        analyte=analyte,
        value=value,
        unit="U/L",
        effective=when,
        source=SourceRef(ref),
        reference_high=high,
    )


def facts() -> PatientFacts:
    return PatientFacts(
        patient_reference="Patient/p1",
        labs=(
            lab(Analyte.CK, 3000, 200, date(2026, 5, 1), "Observation/ck-1"),
            lab(Analyte.CK, 1000, 200, date(2026, 8, 1), "Observation/ck-2"),
            lab(Analyte.CK, 400, 200, date(2026, 11, 1), "Observation/ck-3"),
            lab(Analyte.LDH, 500, 250, date(2026, 11, 1), "Observation/ldh-1"),
            lab(Analyte.ALDOLASE, 12, 8, date(2026, 8, 1), "Observation/ald-1"),
            lab(Analyte.ALDOLASE, 9, None, date(2026, 9, 1), "Observation/ald-2"),
            lab(Analyte.TSH, 2, 4, date(2026, 9, 1), "Observation/tsh-1"),
        ),
        measures=(
            MeasureResult(Measure.MMT8_80, date(2026, 5, 1), SourceRef("Observation/m1"), 50),
            MeasureResult(Measure.MMT8_80, date(2026, 11, 1), SourceRef("Observation/m2"), 70),
            MeasureResult(Measure.CMAS, date(2026, 8, 1), SourceRef("Observation/c1"), 40),
            MeasureResult(
                Measure.MRI_MUSCLE_EDEMA, date(2026, 6, 1), SourceRef("Observation/e1"), flag=True
            ),
            MeasureResult(
                Measure.MRI_FATTY_REPLACEMENT,
                date(2026, 6, 1),
                SourceRef("Observation/f1"),
                grade=FattyReplacement.MODERATE,
            ),
        ),
        medications=(
            MedicationExposure(
                Agent.PREDNISONE,
                DrugClass.GLUCOCORTICOID,
                True,
                SourceRef("MedicationRequest/pred"),
                start=date(2026, 5, 2),
                daily_dose_mg=40,
            ),
            MedicationExposure(
                Agent.METHOTREXATE,
                DrugClass.ANTIMETABOLITE,
                False,
                SourceRef("MedicationRequest/mtx"),
                start=date(2026, 5, 2),
                end=date(2026, 9, 1),
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


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def marks(*codes: str, cited: frozenset[str] = frozenset()) -> CourseMarks:
    return CourseMarks(evaluated_on=DAY, finding_codes=codes, cited=cited)


def series_points(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == "point" and e.get("data-series") == name]


def test_the_svg_is_well_formed_with_one_panel_each() -> None:
    root = parse(draw_course(facts(), marks("escalate-second-line")))
    assert root.tag == f"{SVG}svg"
    panels = [e.get("data-panel") for e in root.iter() if e.get("data-panel")]
    # no antibody result: the panel says so; no diagnosis and no cited other result: no panel
    assert panels == ["enzymes", "strength", "mri", "antibodies", "therapy"]
    assert "No antibody results" in draw_course(facts(), marks())


def test_enzymes_are_drawn_as_multiples_of_uln_with_a_dashed_uln_line() -> None:
    root = parse(draw_course(facts(), marks()))
    assert len(series_points(root, "ck")) == 3
    assert len(series_points(root, "ldh")) == 1
    assert len(series_points(root, "aldolase")) == 1  # the result without ULN is not drawn
    assert not series_points(root, "tsh")
    uln = next(e for e in root.iter() if e.get("data-uln") == "1")
    assert uln.get("stroke-dasharray")
    ck_y = [float(e.get("cy", "0")) for e in series_points(root, "ck")]
    assert ck_y[0] < ck_y[1] < ck_y[2] < float(uln.get("y1", "0"))  # 15x, 5x, 2x above 1x
    titles = [e.findtext(f"{SVG}title") for e in series_points(root, "ck")]
    assert titles[0] == "CK 2026-05-01: 3000 U/L (15.0× ULN 200)"
    svg = draw_course(facts(), marks())
    assert "1 result(s) without an upper limit not drawn" in svg
    assert "log scale" in svg  # 15x passes 8x


def test_points_follow_the_shared_time_axis() -> None:
    root = parse(draw_course(facts(), marks()))
    ck_x = [float(e.get("cx", "0")) for e in series_points(root, "ck")]
    mmt_x = [float(e.get("cx", "0")) for e in series_points(root, "mmt8-80")]
    assert ck_x == sorted(ck_x)
    assert ck_x[0] == mmt_x[0]  # same day, same x in both panels
    assert ck_x[-1] == mmt_x[-1]
    assert all(LEFT <= x <= LEFT + PLOT_WIDTH for x in ck_x)


def test_strength_scores_as_percent_of_their_scale() -> None:
    root = parse(draw_course(facts(), marks()))
    mmt = series_points(root, "mmt8-80")
    cmas = series_points(root, "cmas")
    assert len(mmt) == 2 and len(cmas) == 1
    assert mmt[1].findtext(f"{SVG}title") == "MMT-8 (/80) 2026-11-01: 70/80"
    assert float(mmt[1].get("cy", "0")) < float(mmt[0].get("cy", "0"))  # 87.5% above 62.5%


def test_mri_markers() -> None:
    root = parse(draw_course(facts(), marks()))
    edema = [e for e in root.iter() if e.get("data-mri") == "edema"]
    fat = [e for e in root.iter() if e.get("data-mri") == "fatty-replacement"]
    assert [e.get("data-present") for e in edema] == ["true"]
    assert [e.get("data-grade") for e in fat] == ["moderate"]


def test_therapy_bars_by_drug_class() -> None:
    root = parse(draw_course(facts(), marks()))
    bars = [e for e in root.iter() if e.get("class") == "therapy"]
    assert sorted((b.get("data-drug-class"), b.get("data-ongoing")) for b in bars) == [
        ("antimetabolite", "false"),
        ("glucocorticoid", "true"),
    ]  # the undated IVIG record has no bar
    pred = next(b for b in bars if b.get("data-agent") == "prednisone")
    mtx = next(b for b in bars if b.get("data-agent") == "methotrexate")
    assert float(pred.get("x", "0")) == float(mtx.get("x", "0"))  # same start
    assert float(pred.get("width", "0")) > float(mtx.get("width", "0"))  # ongoing to today
    assert pred.findtext(f"{SVG}title") == "Prednisone, 40 mg/d: 2026-05-02 to ongoing"


def test_findings_are_marked_at_the_evaluation_date_and_citations_ringed() -> None:
    svg = draw_course(
        facts(),
        marks("escalate-second-line", "statin-and-hmgcr", cited=frozenset({"Observation/ck-3"})),
    )
    root = parse(svg)
    labels = [e.get("data-finding") for e in root.iter() if e.get("data-finding")]
    assert labels == ["escalate-second-line", "statin-and-hmgcr"]
    group = next(e for e in root.iter() if e.get("class") == "findings")
    assert group.get("data-evaluated-on") == "2026-11-15"
    rings = [e.get("data-cited") for e in root.iter() if e.get("class") == "cited"]
    assert rings == ["Observation/ck-3"]


def test_empty_record_says_so() -> None:
    svg = draw_course(PatientFacts(), marks())
    parse(svg)
    assert "No CK, LDH or aldolase results" in svg
    assert "No MMT-8 or CMAS scores" in svg
    assert "No dated myositis therapy" in svg


def test_text_is_escaped() -> None:
    odd = PatientFacts(
        labs=(lab(Analyte.CK, 400, 200, date(2026, 1, 1), 'Observation/"><script>x</script>'),)
    )
    svg = draw_course(odd, marks("<b>code</b>"))
    parse(svg)
    assert "<script>" not in svg and "<b>" not in svg


def test_page_is_self_contained() -> None:
    html = course_page(facts(), marks("statin-and-hmgcr"), link_expires=_expiry())
    assert html.startswith("<!DOCTYPE html>")
    assert "Statin with anti-HMGCR myopathy" in html
    assert not re.search(r"<script|<link|src=|https?://(?!www\.w3\.org/2000/svg)", html)
    assert "expires at 12:15 UTC" in html
    assert "<script" not in message_page("<x>", "<y>")


def _expiry() -> datetime:
    return datetime(2026, 11, 15, 12, 15, tzinfo=UTC)


def test_therapy_long_before_the_first_measurement_is_clipped_and_says_since_when() -> None:
    statin = MedicationExposure(
        Agent.ATORVASTATIN,
        DrugClass.STATIN,
        True,
        SourceRef("MedicationRequest/atorva"),
        start=date(2015, 3, 1),
    )
    base = facts()
    svg = draw_course(
        PatientFacts(labs=base.labs, medications=(*base.medications, statin)), marks()
    )
    root = parse(svg)
    bar = next(e for e in root.iter() if e.get("data-agent") == "atorvastatin")
    assert bar.get("data-clipped") == "true"
    assert float(bar.get("x", "0")) == LEFT
    assert "Atorvastatin (since Mar 2015)" in svg
    assert "Jan 2015" not in svg  # the axis starts near the first measurement
