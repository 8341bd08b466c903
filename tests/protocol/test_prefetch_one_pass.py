"""The one-pass prefetch intake: relevance from raw codings, the patient check on what is kept.

The relevance filter must keep exactly the Observations the extraction would read (the same
answer as ``Terminology.is_relevant`` on their codings), so that leaving the others out early
changes no fact; what it drops is never looked at again.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bench import generator, long_history
from cds_service.cdshooks.prefetch import ResolvedData, resolve_prefetch
from cds_service.cdshooks.registry import PATIENT_HISTORY
from cds_service.fhir.extract import extract_facts
from cds_service.fhir.relevance import RelevanceFilter, relevance_filter
from cds_service.terminology import DEFAULT_MAPPINGS_DIR, Terminology, load_terminology
from cds_service.terminology.systems import ICD10CM
from tests.scenario_files import SCENARIOS_DIR

TERMINOLOGY = load_terminology(DEFAULT_MAPPINGS_DIR)
KNOWN = sorted(TERMINOLOGY.codings)
TODAY = date(2026, 11, 15)


def is_relevant_as_extraction_decides(resource: dict[str, Any], terminology: Terminology) -> bool:
    """The extraction's own test, written out: any well-formed coding the tables know."""
    concept = resource.get("code")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    if not isinstance(codings, list):
        return False
    return any(
        isinstance(c, dict)
        and isinstance(c.get("system"), str)
        and isinstance(c.get("code"), str)
        and terminology.is_relevant(c["system"], c["code"])
        for c in codings
    )


def observation(*codings: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": "o", "code": {"coding": list(codings)}}


def spelled(system: str, code: str, variant: int) -> str:
    """The same code as an EHR may send it: padded, or (ICD-10-CM) dotted and lower case."""
    if variant == 1:
        return f" {code} "
    if variant == 2 and system == ICD10CM and len(code) > 3:
        return f"{code[:3]}.{code[3:]}".lower()
    if variant == 3:
        return code + "9"
    return code


CODINGS = st.one_of(
    st.builds(
        lambda known, variant: {"system": known[0], "code": spelled(known[0], known[1], variant)},
        st.sampled_from(KNOWN),
        st.integers(0, 3),
    ),
    st.fixed_dictionaries(
        {"system": st.sampled_from(["http://loinc.org", ICD10CM, "x"]), "code": st.text()}
    ),
    st.sampled_from([{}, {"system": "http://loinc.org"}, {"code": "2157-6"}, None, "2157-6"]),
    st.fixed_dictionaries({"system": st.just("http://loinc.org"), "code": st.integers()}),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(CODINGS, max_size=3))
def test_the_filter_keeps_exactly_what_the_extraction_reads(codings: list[Any]) -> None:
    resource = observation(*codings)
    keep = RelevanceFilter(TERMINOLOGY).keep(resource)
    assert keep == is_relevant_as_extraction_decides(resource, TERMINOLOGY)


def test_every_code_of_the_tables_is_kept_and_odd_shapes_are_not() -> None:
    keep = relevance_filter(TERMINOLOGY).keep
    assert all(keep(observation({"system": s, "code": c})) for s, c in KNOWN)
    for odd in ({"code": "x"}, {"code": {"coding": "x"}}, {"code": {"coding": [1]}}, {}):
        assert not keep({"resourceType": "Observation", **odd})
    assert keep({"resourceType": "Condition"})  # other types: the extraction decides


def _resolve(request: dict[str, Any], keep: bool) -> ResolvedData:
    return asyncio.run(
        resolve_prefetch(
            PATIENT_HISTORY,
            request["prefetch"],
            request["context"],
            None,
            2.0,
            keep=relevance_filter(TERMINOLOGY).keep if keep else None,
        )
    )


def charts() -> list[tuple[str, dict[str, Any]]]:
    found = [("bench-500", generator.patient_view_request(500))]
    found.append(("history-5y", long_history.patient_view_request(5)))
    for path in sorted(SCENARIOS_DIR.glob("*/request.json")):
        request = json.loads(path.read_text())
        if request.get("hook") == "patient-view" and request.get("prefetch"):
            found.append((path.parent.name, request))
    return found


def test_leaving_out_irrelevant_observations_changes_no_fact() -> None:
    checked = 0
    for name, request in charts():
        everything, kept = _resolve(request, keep=False), _resolve(request, keep=True)
        assert len(kept.resources) <= len(everything.resources)
        before = extract_facts(everything.resources, TERMINOLOGY, TODAY)
        after = extract_facts(kept.resources, TERMINOLOGY, TODAY)
        assert after == before, name
        assert kept.gaps == everything.gaps, name
        checked += 1
    assert checked >= 5


def test_only_relevant_observations_are_handed_on() -> None:
    request = generator.patient_view_request(500)
    kept = _resolve(request, keep=True)
    observations = [r for r in kept.resources if r["resourceType"] == "Observation"]
    assert observations
    assert all(r["id"].startswith("myo-") for r in observations)  # the generator's relevant ones
    assert len(observations) == sum(
        1
        for e in request["prefetch"]["observations"]["entry"]
        if e["resource"]["id"].startswith("myo-")
    )


def test_the_patient_check_applies_to_what_is_handed_on() -> None:
    request = generator.patient_view_request(50)
    entries = request["prefetch"]["observations"]["entry"]
    theirs = {"reference": "Patient/someone-else"}
    routine = next(e["resource"] for e in entries if not e["resource"]["id"].startswith("myo-"))
    relevant = next(e["resource"] for e in entries if e["resource"]["id"].startswith("myo-"))
    routine["subject"] = theirs  # left out as irrelevant: never checked, never counted
    relevant["subject"] = dict(theirs)  # relevant and another patient's: left out and said
    kept = _resolve(request, keep=True)
    assert relevant not in kept.resources and routine not in kept.resources
    assert kept.gaps == ["1 resource about another patient left out"]
