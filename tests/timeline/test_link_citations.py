"""The link carries the references the call's findings cited, within a size budget."""

from __future__ import annotations

from datetime import date

from cds_service.cdshooks.timeline_link import MAX_CITED_CHARS, MAX_REF_CHARS, TimelineLinks

SECRET = bytes(range(32))


def links() -> TimelineLinks:
    return TimelineLinks(SECRET, "https://cds.example.org", clock=lambda: 1_800_000_000.0)


def make(cited: list[str]) -> str:
    made = links().make(
        patient_id="syn-1",
        fhir_server="https://fhir.example.org/fhir",
        finding_codes=["order-escalation-not-supported"],
        evaluated_on=date(2026, 11, 15),
        cited=cited,
    )
    assert made is not None
    return made.ref


def test_cited_references_round_trip_once_each_in_order() -> None:
    cited = ["Observation/ck-2", "Observation/mmt-1", "Observation/ck-2", "Condition/pm-1"]
    opened = links().open(make(cited))
    assert opened is not None
    assert opened.cited == ("Observation/ck-2", "Observation/mmt-1", "Condition/pm-1")


def test_a_link_without_citations_opens_with_none() -> None:
    opened = links().open(make([]))
    assert opened is not None
    assert opened.cited == ()


def test_citations_beyond_the_budget_are_left_out_and_the_link_still_opens() -> None:
    cited = [f"Observation/a-long-synthetic-observation-id-{n:04d}" for n in range(200)]
    ref = make(cited)
    assert len(ref) < MAX_REF_CHARS
    opened = links().open(ref)
    assert opened is not None
    assert 0 < len(opened.cited) < len(cited)
    assert opened.cited == tuple(cited[: len(opened.cited)])  # the first ones, in order
    assert sum(len(c) + 1 for c in opened.cited) <= MAX_CITED_CHARS
