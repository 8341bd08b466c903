"""The link carries the references the call's findings cited and the call's draft orders,
within a size budget."""

from __future__ import annotations

from datetime import date

from cds_service.cdshooks.timeline_link import (
    DRAFT_DISPLAY_CHARS,
    MAX_CITED_CHARS,
    MAX_REF_CHARS,
    TimelineLinks,
    _ref_from_claims,
)
from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.order_checks.draft_order import DraftOrder

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


DRAFTS = (
    DraftOrder(
        reference="MedicationRequest/draft-para",
        selected=False,
        display="paracetamol 500 MG Oral Tablet",
    ),
    DraftOrder(
        reference="MedicationRequest/draft-atorva",
        selected=True,
        agent=Agent.ATORVASTATIN,
        drug_class=DrugClass.STATIN,
        line=None,
        display="atorvastatin 20 MG Oral Tablet",
    ),
)


def make_with_drafts(cited: list[str], drafts: tuple[DraftOrder, ...]) -> str:
    made = links().make(
        patient_id="syn-1",
        fhir_server="https://fhir.example.org/fhir",
        finding_codes=["order-statin-with-hmgcr"],
        evaluated_on=date(2026, 11, 15),
        cited=cited,
        drafts=drafts,
    )
    assert made is not None
    return made.ref


def test_draft_orders_ride_along_the_cited_ones_first() -> None:
    opened = links().open(make_with_drafts(["MedicationRequest/draft-atorva"], DRAFTS))
    assert opened is not None
    assert opened.drafts == (DRAFTS[1], DRAFTS[0])  # the cited draft first
    assert opened.drafts[0].drug_class is DrugClass.STATIN
    assert opened.drafts[1].agent is None and not opened.drafts[1].selected


def test_many_long_drafts_and_citations_stay_within_the_reference_size() -> None:
    cited = [f"Observation/a-long-synthetic-observation-id-{n:04d}" for n in range(200)]
    drafts = tuple(
        DraftOrder(
            reference=f"MedicationRequest/a-long-synthetic-draft-order-id-{n:04d}",
            selected=True,
            display="x" * 500,
        )
        for n in range(50)
    )
    ref = make_with_drafts(cited, drafts)
    assert len(ref) < MAX_REF_CHARS
    opened = links().open(ref)
    assert opened is not None
    assert 0 < len(opened.drafts) < len(drafts)
    assert all(len(d.display) == DRAFT_DISPLAY_CHARS for d in opened.drafts)


def test_a_link_with_malformed_drafts_does_not_open() -> None:
    for bad in ([["MedicationRequest/x"]], [["M/x", "no-such-agent", "", "", "draft", True]], "x"):
        claims = {"pid": "p", "fnd": [], "day": "2026-11-15", "exp": 1_900_000_000, "drf": bad}
        assert _ref_from_claims(claims, 1_800_000_000.0) is None
    good = {"pid": "p", "fnd": [], "day": "2026-11-15", "exp": 1_900_000_000}
    assert _ref_from_claims(good, 1_800_000_000.0) is not None
