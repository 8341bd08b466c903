"""Each CDS Hooks 2.0.1 invariant the wire models enforce, one test (or case) per rule.

Rule ids in test names and ``type`` assertions: cds-r-*, cds-resp-*, cds-fb-* and ord-1 are the
invariants of the spec's logical models (HL7/cds-hooks ``input/fsh/invariants``); §1.x are the
sections of docs/conformance.md, which maps each rule to its tests.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from cds_service.cdshooks import models
from cds_service.cdshooks.models import (
    Card,
    CdsRequest,
    CdsResponse,
    DiscoveryResponse,
    FeedbackRequest,
    Link,
    OrderSelectContext,
    ServiceDefinition,
    Source,
    Suggestion,
    UnsupportedHookError,
    to_wire,
    validate_context,
)

HOOK_INSTANCE = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
CARD_UUID = "4e0a3a1e-3283-4575-ab82-028d55fe2719"
SUGGESTION_UUID = "e56e1945-20b3-4393-8503-a1a20fd73152"
SOURCE: dict[str, Any] = {"label": "Myositis CDS"}
CREATE: dict[str, Any] = {
    "type": "create",
    "description": "Draft a proposal for IVIG",
    "resource": {"resourceType": "MedicationRequest", "status": "draft", "intent": "proposal"},
}


def card(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "uuid": CARD_UUID,
        "summary": "Refractory myositis: consider second-line therapy.",
        "indicator": "warning",
        "source": copy.deepcopy(SOURCE),
    }
    base.update(changes)
    return base


def suggestion(label: str = "IVIG", **changes: Any) -> dict[str, Any]:
    return {"label": label, "actions": [copy.deepcopy(CREATE)], **changes}


def errors_of(model: type[BaseModel], data: Any) -> list[tuple[tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


def request(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": HOOK_INSTANCE,
        "context": {"userId": "Practitioner/example", "patientId": "1288992"},
    }
    base.update(changes)
    return base


AUTHORIZATION: dict[str, Any] = {
    "access_token": "opaque-token-value",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "user/Patient.read",
    "subject": "cds-service4",
}


def feedback_item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "card": CARD_UUID,
        "outcome": "overridden",
        "outcomeTimestamp": "2021-12-11T10:05:31Z",
    }
    base.update(changes)
    return base


# --- card.summary (§Card Attributes: "<140-character", REQUIRED) -----------------------


def test_summary_of_139_characters_is_accepted() -> None:
    assert len(Card.model_validate(card(summary="x" * 139)).summary) == 139


@pytest.mark.parametrize(
    ("summary", "error"),
    [("x" * 140, "string_too_long"), ("", "string_too_short"), ("   ", "blank_string")],
)
def test_summary_must_be_short_and_not_empty(summary: str, error: str) -> None:
    assert errors_of(Card, card(summary=summary)) == [(("summary",), error)]


def test_summary_is_required() -> None:
    data = card()
    del data["summary"]
    assert errors_of(Card, data) == [(("summary",), "missing")]


# --- card.indicator ------------------------------------------------------------------


@pytest.mark.parametrize("indicator", ["info", "warning", "critical"])
def test_indicator_values_of_the_spec(indicator: str) -> None:
    assert Card.model_validate(card(indicator=indicator)).indicator == indicator


@pytest.mark.parametrize("indicator", ["hard-stop", "success", "INFO", ""])
def test_indicator_outside_the_enum_is_rejected(indicator: str) -> None:
    assert errors_of(Card, card(indicator=indicator)) == [(("indicator",), "literal_error")]


# --- selectionBehavior present iff suggestions (cds-resp-6) ---------------------------


def test_suggestions_need_selection_behavior() -> None:
    assert errors_of(Card, card(suggestions=[suggestion()])) == [((), "cds-resp-6")]


@pytest.mark.parametrize("suggestions", [None, []])
def test_selection_behavior_needs_suggestions(suggestions: list[Any] | None) -> None:
    data = card(selectionBehavior="any", suggestions=suggestions)
    assert errors_of(Card, data) == [((), "selection_without_suggestions")]


@pytest.mark.parametrize("behaviour", ["at-most-one", "any"])
def test_suggestions_with_selection_behavior(behaviour: str) -> None:
    parsed = Card.model_validate(card(suggestions=[suggestion()], selectionBehavior=behaviour))
    assert parsed.selectionBehavior == behaviour


def test_unknown_selection_behavior_is_rejected() -> None:
    data = card(suggestions=[suggestion()], selectionBehavior="all")
    assert errors_of(Card, data) == [(("selectionBehavior",), "literal_error")]


# --- isRecommended with at-most-one (cds-resp-1) --------------------------------------


def test_two_recommended_suggestions_with_at_most_one_are_rejected() -> None:
    data = card(
        selectionBehavior="at-most-one",
        suggestions=[suggestion("IVIG", isRecommended=True), suggestion("RTX", isRecommended=True)],
    )
    assert errors_of(Card, data) == [((), "cds-resp-1")]


def test_one_recommended_with_at_most_one_and_several_with_any() -> None:
    one = [suggestion("IVIG", isRecommended=True), suggestion("RTX", isRecommended=False)]
    Card.model_validate(card(selectionBehavior="at-most-one", suggestions=one))
    two = [suggestion("IVIG", isRecommended=True), suggestion("RTX", isRecommended=True)]
    Card.model_validate(card(selectionBehavior="any", suggestions=two))


def test_is_recommended_must_be_a_boolean() -> None:
    assert errors_of(Suggestion, suggestion(isRecommended="yes")) == [
        (("isRecommended",), "bool_type")
    ]


# --- override reasons need display (cds-resp-4) ---------------------------------------


def test_override_reason_without_display_is_rejected() -> None:
    reasons = [{"code": "patient-declined", "system": "https://example.org/reasons"}]
    assert errors_of(Card, card(overrideReasons=reasons)) == [
        (("overrideReasons", 0, "display"), "missing")
    ]


def test_override_reason_with_display() -> None:
    reasons = [{"code": "x", "system": "https://example.org/reasons", "display": "Declined"}]
    parsed = Card.model_validate(card(overrideReasons=reasons))
    assert parsed.overrideReasons is not None
    assert parsed.overrideReasons[0].display == "Declined"


def test_topic_coding_display_is_optional_but_code_and_system_are_not() -> None:
    Source.model_validate({"label": "x", "topic": {"code": "c", "system": "https://s"}})
    assert errors_of(Source, {"label": "x", "topic": {"code": "c"}}) == [
        (("topic", "system"), "missing")
    ]


# --- links (cds-resp-3, autolaunchable, absolute url) ---------------------------------


def test_app_context_only_on_smart_links() -> None:
    link = {"label": "App", "url": "https://app.example.org/launch", "appContext": "abc"}
    assert Link.model_validate({**link, "type": "smart"}).appContext == "abc"
    assert errors_of(Link, {**link, "type": "absolute"}) == [((), "cds-resp-3")]


def test_autolaunchable_is_spelled_as_the_spec_does() -> None:
    link = {"label": "A", "url": "https://example.org", "type": "absolute"}
    assert Link.model_validate({**link, "autolaunchable": True}).autolaunchable is True
    assert errors_of(Link, {**link, "autoLaunchable": True}) == [
        (("autoLaunchable",), "extra_forbidden")
    ]
    assert errors_of(Link, {**link, "autolaunchable": "true"}) == [
        (("autolaunchable",), "bool_type")
    ]


@pytest.mark.parametrize("url", ["/reference/x", "example.org/x", "ftp://example.org/x", ""])
def test_absolute_links_need_absolute_urls(url: str) -> None:
    found = errors_of(Link, {"label": "A", "url": url, "type": "absolute"})
    assert found in ([((), "absolute_url")], [(("url",), "blank_string")])


def test_link_type_enum() -> None:
    assert errors_of(Link, {"label": "A", "url": "https://e.org", "type": "relative"}) == [
        (("type",), "literal_error")
    ]


@pytest.mark.parametrize("field", ["url", "icon"])
@pytest.mark.parametrize(
    "url", ["/relative", "https://", "javascript:alert(1)", "https://exa mple.org/", "http://[::1"]
)
def test_source_urls_must_be_absolute(field: str, url: str) -> None:
    assert errors_of(Source, {"label": "x", field: url}) == [((field,), "absolute_url")]


def test_source_urls_accept_absolute_http_and_https() -> None:
    parsed = Source.model_validate(
        {"label": "x", "url": "http://127.0.0.1:8000/ref", "icon": "https://e.org/i.png"}
    )
    assert (parsed.url, parsed.icon) == ("http://127.0.0.1:8000/ref", "https://e.org/i.png")


# --- actions (§Action, cds-resp-2, cds-resp-5) ----------------------------------------


@pytest.mark.parametrize("kind", ["create", "update"])
def test_create_and_update_need_a_resource(kind: str) -> None:
    data = suggestion(actions=[{"type": kind, "description": "d"}])
    assert errors_of(Suggestion, data) == [(("actions", 0), "action_resource")]


def test_resource_must_be_a_fhir_resource_object() -> None:
    no_type = suggestion(actions=[{**CREATE, "resource": {"status": "draft"}}])
    assert errors_of(Suggestion, no_type) == [(("actions", 0), "fhir_resource")]
    as_string = suggestion(actions=[{**CREATE, "resource": '{"resourceType": "X"}'}])
    assert errors_of(Suggestion, as_string) == [(("actions", 0, "resource"), "dict_type")]


def test_delete_needs_resource_id_or_resource() -> None:
    data = suggestion(actions=[{"type": "delete", "description": "Stop"}])
    assert errors_of(Suggestion, data) == [(("actions", 0), "cds-resp-2")]
    by_id = {"type": "delete", "description": "Stop", "resourceId": "MedicationRequest/rx-1"}
    assert Suggestion.model_validate(suggestion(actions=[by_id])).actions is not None
    by_resource = {"type": "delete", "description": "Stop", "resource": CREATE["resource"]}
    Suggestion.model_validate(suggestion(actions=[by_resource]))


def test_resource_id_is_a_relative_reference() -> None:
    data = suggestion(actions=[{"type": "delete", "description": "d", "resourceId": "rx-1"}])
    assert errors_of(Suggestion, data) == [(("actions", 0, "resourceId"), "ord-1")]


def test_action_type_is_lower_case_enum() -> None:
    data = suggestion(actions=[{**CREATE, "type": "CREATE"}])
    assert errors_of(Suggestion, data) == [(("actions", 0, "type"), "literal_error")]


def test_suggestion_actions_need_a_description_but_system_actions_do_not() -> None:
    action = {k: v for k, v in CREATE.items() if k != "description"}
    assert errors_of(Suggestion, suggestion(actions=[action])) == [
        (("actions", 0, "description"), "missing")
    ]
    response = CdsResponse.model_validate({"cards": [], "systemActions": [action]})
    assert response.systemActions is not None
    assert response.systemActions[0].description is None


# --- uuids, strictness, required members ----------------------------------------------


@pytest.mark.parametrize("value", ["card-1", f"urn:uuid:{CARD_UUID}", CARD_UUID[:-1]])
def test_card_and_suggestion_uuids_are_uuids(value: str) -> None:
    assert errors_of(Card, card(uuid=value)) == [(("uuid",), "uuid")]
    assert errors_of(Suggestion, suggestion(uuid=value)) == [(("uuid",), "uuid")]


def test_response_models_refuse_unknown_members() -> None:
    assert errors_of(Card, card(Summary="typo")) == [(("Summary",), "extra_forbidden")]
    assert errors_of(CdsResponse, {"cards": [], "card": []}) == [(("card",), "extra_forbidden")]


def test_cards_are_required_and_may_be_empty() -> None:
    assert errors_of(CdsResponse, {}) == [(("cards",), "missing")]
    assert to_wire(CdsResponse(cards=[])) == {"cards": []}


@pytest.mark.parametrize("extension", [[], "x", 1, ["a", "b"]])
def test_extension_must_be_a_json_object(extension: Any) -> None:
    assert errors_of(CdsResponse, {"cards": [], "extension": extension}) == [
        (("extension",), "dict_type")
    ]
    assert errors_of(CdsRequest, request(extension=extension)) == [(("extension",), "dict_type")]


# --- discovery (§Discovery) -----------------------------------------------------------

SERVICE: dict[str, Any] = {
    "hook": "patient-view",
    "description": "Refractory myositis assessment",
    "id": "myositis-refractory-patient-view",
}


def test_service_definition_required_members() -> None:
    assert errors_of(ServiceDefinition, {"hook": "patient-view"}) == [
        (("description",), "missing"),
        (("id",), "missing"),
    ]


@pytest.mark.parametrize("service_id", ["a/b", "a b", "", "svc?x=1"])
def test_service_id_is_a_path_segment(service_id: str) -> None:
    assert errors_of(ServiceDefinition, {**SERVICE, "id": service_id}) == [(("id",), "service_id")]


def test_same_id_may_serve_several_hooks_but_not_twice_the_same_hook() -> None:
    other_hook = {**SERVICE, "hook": "order-sign"}
    DiscoveryResponse.model_validate({"services": [SERVICE, other_hook]})
    assert errors_of(DiscoveryResponse, {"services": [SERVICE, SERVICE]}) == [
        ((), "duplicate_service")
    ]


def test_no_services_is_an_empty_array() -> None:
    assert to_wire(DiscoveryResponse(services=[])) == {"services": []}


# --- request (§Calling a CDS Service, cds-r-1) ----------------------------------------


@pytest.mark.parametrize(
    "value", ["not-a-uuid", f"urn:uuid:{HOOK_INSTANCE}", HOOK_INSTANCE.replace("-", ""), ""]
)
def test_hook_instance_must_be_a_uuid(value: str) -> None:
    assert errors_of(CdsRequest, request(hookInstance=value)) == [(("hookInstance",), "uuid")]


def test_hook_instance_accepts_upper_case_uuid() -> None:
    parsed = CdsRequest.model_validate(request(hookInstance=HOOK_INSTANCE.upper()))
    assert parsed.hookInstance == HOOK_INSTANCE.upper()


def test_fhir_authorization_requires_fhir_server() -> None:
    assert errors_of(CdsRequest, request(fhirAuthorization=AUTHORIZATION)) == [((), "cds-r-1")]
    with_server = request(fhirAuthorization=AUTHORIZATION, fhirServer="https://ehr.example.org")
    assert CdsRequest.model_validate(with_server).fhirAuthorization is not None


def test_fhir_server_without_authorization_is_accepted() -> None:
    # The CDS Hooks Sandbox sends fhirServer and no fhirAuthorization (as observed).
    parsed = CdsRequest.model_validate(request(fhirServer="http://localhost:8080/fhir"))
    assert parsed.fhirServer == "http://localhost:8080/fhir"
    assert errors_of(CdsRequest, request(fhirServer="/fhir")) == [(("fhirServer",), "absolute_url")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"token_type": "MAC"}, [(("fhirAuthorization", "token_type"), "literal_error")]),
        ({"expires_in": "300"}, [(("fhirAuthorization", "expires_in"), "int_type")]),
        ({"expires_in": -1}, [(("fhirAuthorization", "expires_in"), "greater_than_equal")]),
        ({"access_token": ""}, [(("fhirAuthorization", "access_token"), "blank_string")]),
        ({"scope": ""}, [(("fhirAuthorization", "scope"), "blank_string")]),
    ],
)
def test_fhir_authorization_fields(changes: dict[str, Any], expected: list[Any]) -> None:
    data = request(fhirServer="https://e.org", fhirAuthorization={**AUTHORIZATION, **changes})
    assert errors_of(CdsRequest, data) == expected


def test_fhir_authorization_subject_is_required_and_bearer_is_case_insensitive() -> None:
    auth = {k: v for k, v in AUTHORIZATION.items() if k != "subject"}
    data = request(fhirServer="https://e.org", fhirAuthorization=auth)
    assert errors_of(CdsRequest, data) == [(("fhirAuthorization", "subject"), "missing")]
    lower = {**AUTHORIZATION, "token_type": "bearer"}
    parsed = CdsRequest.model_validate({**data, "fhirAuthorization": lower})
    assert parsed.fhirAuthorization is not None
    assert parsed.fhirAuthorization.token_type == "Bearer"


def test_access_token_never_shows_in_repr_or_dumps() -> None:
    parsed = CdsRequest.model_validate(
        request(fhirServer="https://e.org", fhirAuthorization=AUTHORIZATION)
    )
    assert "opaque-token-value" not in repr(parsed)
    assert "opaque-token-value" not in parsed.model_dump_json()
    assert parsed.fhirAuthorization is not None
    assert parsed.fhirAuthorization.access_token.get_secret_value() == "opaque-token-value"


def test_requests_keep_unknown_members_and_null_prefetch_values() -> None:
    parsed = CdsRequest.model_validate(
        request(prefetch={"patient": None, "conditions": {"resourceType": "Bundle"}}, x_vendor=1)
    )
    assert parsed.prefetch == {"patient": None, "conditions": {"resourceType": "Bundle"}}
    assert parsed.model_extra == {"x_vendor": 1}


@pytest.mark.parametrize("field", ["hook", "hookInstance", "context"])
def test_request_required_members(field: str) -> None:
    data = request()
    del data[field]
    assert errors_of(CdsRequest, data) == [((field,), "missing")]


def test_context_and_prefetch_must_be_objects() -> None:
    assert errors_of(CdsRequest, request(context=["patientId"])) == [(("context",), "dict_type")]
    assert errors_of(CdsRequest, request(prefetch=[])) == [(("prefetch",), "dict_type")]


# --- hook contexts (docs/conformance.md §1.9, ord-1) ------------------------------------------

BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "MedicationRequest", "id": "rx-1"}}, {"x": 1}],
}


def context_errors(hook: str, context: dict[str, Any]) -> list[Any]:
    parsed = CdsRequest.model_validate(request(hook=hook, context=context))
    with pytest.raises(ValidationError) as caught:
        validate_context(parsed)
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    "user_id", ["example", "Practitioner/", "/123", "Practitioner/a b", "Practitioner/1/_history"]
)
def test_user_id_must_be_type_slash_id(user_id: str) -> None:
    found = context_errors("patient-view", {"userId": user_id, "patientId": "p1"})
    assert found == [(("context", "userId"), "ord-1")]


@pytest.mark.parametrize("patient_id", ["1 2", "../Observation", "p1&_include=*", ""])
def test_patient_id_must_be_a_fhir_id(patient_id: str) -> None:
    found = context_errors("patient-view", {"userId": "Practitioner/1", "patientId": patient_id})
    assert found == [(("context", "patientId"), "fhir_id")]


def test_patient_view_context_keeps_unknown_members() -> None:
    parsed = CdsRequest.model_validate(
        request(context={"userId": "Practitioner/1", "patientId": "p1", "x": {"y": 1}})
    )
    context = validate_context(parsed)
    assert context.model_extra == {"x": {"y": 1}}


def test_order_select_selections_follow_ord_1_and_may_be_absent() -> None:
    base = {"userId": "PractitionerRole/123", "patientId": "p1", "draftOrders": BUNDLE}
    assert context_errors("order-select", {**base, "selections": ["rx-1"]}) == [
        (("context", "selections", 0), "ord-1")
    ]
    context = validate_context(
        CdsRequest.model_validate(request(hook="order-select", context=base))
    )
    assert isinstance(context, OrderSelectContext)
    assert context.selections is None
    assert context.selected_resources() == [{"resourceType": "MedicationRequest", "id": "rx-1"}]


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_draft_orders_must_be_a_bundle(hook: str) -> None:
    base = {"userId": "Practitioner/1", "patientId": "p1"}
    assert context_errors(hook, base) == [(("context", "draftOrders"), "missing")]
    patient = {"resourceType": "Patient", "id": "p1"}
    assert context_errors(hook, {**base, "draftOrders": patient}) == [
        (("context", "draftOrders"), "bundle")
    ]
    bad_entry = {"resourceType": "Bundle", "entry": {"resource": patient}}
    assert context_errors(hook, {**base, "draftOrders": bad_entry}) == [
        (("context", "draftOrders"), "bundle")
    ]


def test_unsupported_hook() -> None:
    parsed = CdsRequest.model_validate(request(hook="appointment-book"))
    with pytest.raises(UnsupportedHookError, match="appointment-book"):
        validate_context(parsed)


# --- feedback (§Feedback, cds-fb-1..3) ------------------------------------------------


def test_feedback_outcome_enum_cds_fb_1() -> None:
    data = {"feedback": [feedback_item(outcome="rejected")]}
    assert errors_of(FeedbackRequest, data) == [(("feedback", 0, "outcome"), "literal_error")]


@pytest.mark.parametrize("accepted", [None, []])
def test_accepted_needs_accepted_suggestions_cds_fb_2(accepted: list[Any] | None) -> None:
    data = {"feedback": [feedback_item(outcome="accepted", acceptedSuggestions=accepted)]}
    assert errors_of(FeedbackRequest, data) == [(("feedback", 0), "cds-fb-2")]


def test_accepted_suggestion_needs_id() -> None:
    data = {"feedback": [feedback_item(outcome="accepted", acceptedSuggestions=[{}])]}
    assert errors_of(FeedbackRequest, data) == [
        (("feedback", 0, "acceptedSuggestions", 0, "id"), "missing")
    ]


def test_override_reason_needs_reason_or_comment_cds_fb_3() -> None:
    data = {"feedback": [feedback_item(overrideReason={})]}
    assert errors_of(FeedbackRequest, data) == [(("feedback", 0, "overrideReason"), "cds-fb-3")]
    comment_only = {"feedback": [feedback_item(overrideReason={"userComment": "Not now"})]}
    FeedbackRequest.model_validate(comment_only)
    reason = {"code": "x", "system": "https://s", "userSelected": True}
    reason_only = {"feedback": [feedback_item(overrideReason={"reason": reason})]}
    parsed = FeedbackRequest.model_validate(reason_only)
    override = parsed.feedback[0].overrideReason
    assert override is not None
    assert override.reason is not None
    assert override.reason.code == "x"


@pytest.mark.parametrize(
    "stamp",
    [
        "2021-12-11",
        "2021-12-11T10:05:31",
        "2021-13-11T10:05:31Z",
        "11/12/2021 10:05",
        1639217131,
        "",
    ],
)
def test_outcome_timestamp_must_be_an_rfc3339_date_time(stamp: Any) -> None:
    found = errors_of(FeedbackRequest, {"feedback": [feedback_item(outcomeTimestamp=stamp)]})
    assert len(found) == 1
    assert found[0][0] == ("feedback", 0, "outcomeTimestamp")


def test_outcome_timestamp_accepts_offsets_and_fractions() -> None:
    item = feedback_item(outcomeTimestamp="1985-04-12T23:20:50.52+02:00")
    parsed = FeedbackRequest.model_validate({"feedback": [item]})
    assert parsed.feedback[0].outcomeTimestamp.utcoffset() is not None


@pytest.mark.parametrize("field", ["card", "outcome", "outcomeTimestamp"])
def test_feedback_required_members(field: str) -> None:
    item = feedback_item()
    del item[field]
    assert errors_of(FeedbackRequest, {"feedback": [item]}) == [(("feedback", 0, field), "missing")]


# --- to_wire (docs/conformance.md §1.1: no null, no empty optional members) --------------------


def test_to_wire_omits_empty_optional_members_at_every_level() -> None:
    response = CdsResponse.model_validate(
        {
            "cards": [
                card(
                    suggestions=[],
                    links=[],
                    overrideReasons=[],
                    source={"label": "x", "topic": None},
                )
            ],
            "systemActions": [],
            "extension": {},
        }
    )
    assert to_wire(response) == {"cards": [card(source={"label": "x"})]}


def test_to_wire_prunes_empty_members_of_embedded_resources_but_keeps_list_positions() -> None:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "note": [],
        "text": None,
        "meta": {"tag": []},
        "name": [{"given": ["A", "B"], "_given": [None, {"id": "x"}]}],
    }
    action = {"type": "create", "description": "d", "resource": resource}
    wire = to_wire(Suggestion.model_validate(suggestion(actions=[action])))
    assert wire["actions"][0]["resource"] == {
        "resourceType": "MedicationRequest",
        "name": [{"given": ["A", "B"], "_given": [None, {"id": "x"}]}],
    }


def test_to_wire_output_is_plain_json() -> None:
    wire = to_wire(CdsResponse.model_validate({"cards": [card()]}))
    assert wire == {"cards": [card()]}
    assert all(isinstance(key, str) for key in wire["cards"][0])


# --- documentation and layering -------------------------------------------------------


def _model_classes() -> list[type[BaseModel]]:
    return [
        obj
        for name in models.__all__
        if isinstance(obj := getattr(models, name), type) and issubclass(obj, BaseModel)
    ]


def test_every_field_has_a_description_for_the_openapi_document() -> None:
    missing = [
        f"{model.__name__}.{name}"
        for model in _model_classes()
        for name, field in model.model_fields.items()
        if not field.description
    ]
    assert len(_model_classes()) >= 20
    assert missing == []


def test_models_do_not_import_the_web_framework() -> None:
    package = Path(models.__file__).parent
    imported: set[str] = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert "pydantic" in imported
    assert imported.isdisjoint({"fastapi", "starlette"})
