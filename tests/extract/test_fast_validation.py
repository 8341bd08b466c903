"""The compiled fast path gives the outcomes fhir.resources gives, and the same facts.

The fast path (``validate_fast.surely_valid``) only ever accepts; whatever it does not accept
goes to fhir.resources. So the two paths agree exactly when every resource the fast path
accepts is one fhir.resources accepts. These tests check that over every fixture resource, the
benchmark's generated charts and mutated variants (hypothesis), invalid ones included, and
compare the facts extracted with the fast path on and off.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import generator, long_history
from cds_service.fhir.extract import extract_facts
from cds_service.fhir.extract.validate import (
    _validate,
    configure_fast_validation,
    configure_validation_cache,
)
from cds_service.fhir.extract.validate_fast import FAST_PATH_TYPES, surely_valid
from cds_service.terminology import Terminology
from tests.scenario_files import SCENARIOS_DIR

JsonObject = dict[str, Any]
TODAY = date(2026, 11, 15)


def _resources_in(value: Any) -> Iterator[JsonObject]:
    """Every object with a ``resourceType`` that is not a Bundle, at any depth."""
    if isinstance(value, dict):
        if isinstance(value.get("resourceType"), str) and value["resourceType"] != "Bundle":
            yield value
            return
        for child in value.values():
            yield from _resources_in(child)
    elif isinstance(value, list):
        for child in value:
            yield from _resources_in(child)


def fixture_resources() -> list[JsonObject]:
    found: list[JsonObject] = []
    for path in sorted(SCENARIOS_DIR.glob("*/*.json")):
        if path.name in ("bundle.json", "request.json"):
            found.extend(_resources_in(json.loads(path.read_text())))
    return found


def generated_resources() -> list[JsonObject]:
    rng = random.Random(3)
    made: list[JsonObject] = []
    for index in range(60):
        made.append(generator.relevant_observation(index, rng, TODAY))
        made.append(generator.irrelevant_observation(index, rng, TODAY))
    made.extend(generator.conditions())
    made.extend(generator.medications())
    history = long_history.patient_view_request(years=1, seed=5)
    made.extend(_resources_in(history["prefetch"]))
    return made


FIXTURES = fixture_resources()
SAMPLES = FIXTURES + generated_resources()


def fhir_resources_outcome(resource: JsonObject) -> str | None:
    """What fhir.resources alone says (as validate.py calls it, without any cache)."""
    try:
        encoded: bytes | None = orjson.dumps(resource)
    except TypeError:
        encoded = None
    return _validate(resource, encoded)


def combined_outcome(resource: JsonObject) -> str | None:
    return None if surely_valid(resource) else fhir_resources_outcome(resource)


def test_there_are_fixture_resources_of_every_fast_path_type() -> None:
    kinds = {r["resourceType"] for r in FIXTURES}
    assert kinds >= FAST_PATH_TYPES


def test_every_fixture_and_generated_resource_has_the_same_outcome() -> None:
    differ = [
        f"{r['resourceType']}/{r.get('id')}"
        for r in SAMPLES
        if combined_outcome(r) != fhir_resources_outcome(r)
    ]
    assert len(SAMPLES) > 500
    assert differ == []


def test_the_fast_path_vouches_for_the_usual_shapes() -> None:
    """Not vacuous: it accepts nearly all fixture resources of its types, and all generated."""
    usual = [r for r in SAMPLES if r["resourceType"] in FAST_PATH_TYPES]
    accepted = [r for r in usual if surely_valid(r)]
    assert len(accepted) >= 0.9 * len(usual)
    assert all(
        surely_valid(r) for r in generated_resources() if r["resourceType"] in FAST_PATH_TYPES
    )


CALENDAR = (
    "2024-02-29",
    "2000-02-29",
    "2400-02-29T10:00:00Z",
    "2023-02-29",
    "1900-02-29",
    "2100-02-29T10:00:00Z",
    "2024-04-31",
    "2024-12-31T23:59:59.999999+13:59",
    "2024-12-31T23:59:60Z",
)


@pytest.mark.parametrize("when", CALENDAR)
def test_calendar_days_are_judged_as_fhir_resources_judges_them(when: str) -> None:
    """Leap years, month lengths, leap seconds: the fast path never accepts what fails."""
    resource = copy.deepcopy(generated_resources()[0])
    resource["effectiveDateTime"] = when
    resource["issued"] = when if "T" in when else f"{when}T08:00:00Z"
    assert combined_outcome(resource) == fhir_resources_outcome(resource)
    if when.startswith(("2024-02-29", "2000-02-29", "2400-02-29")):
        assert surely_valid(resource)  # real leap days need no fallback


ODD_VALUES: tuple[Any, ...] = (
    None,
    "",
    " ",
    "x",
    " x",
    "x  y",
    "a b",
    "a" * 65,
    "final",
    "bogus",
    "2024",
    "2024-02",
    "2024-13",
    "2024-02-29",
    "2023-02-29",
    "2024-02-30",
    "1900-02-29",
    "2000-02-29",
    "2024-04-31",
    "0000-01-01",
    "2024-01-01T10:00:00",
    "2024-01-01T10:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:00:60Z",
    "2024-01-01T10:00:00.1234567+14:00",
    "2024-01-01T10:00:00+14:30",
    "http://loinc.org",
    "http://lo inc.org",
    "Patient/p1",
    0,
    -1,
    1,
    2.5,
    -0.0,
    2**31,
    2**63,
    1e308,
    True,
    False,
    [],
    [None],
    ["x"],
    {},
    {"text": "x"},
    {"coding": []},
    {"coding": [{}]},
    {"reference": "Patient/p1"},
    {"value": "3"},
    {"value": 3, "comparator": "~"},
    {"extension": [{"url": "http://x", "valueString": "y"}]},
)
EXTRA_KEYS = (
    "extension",
    "_status",
    "valueString",
    "valueBoolean",
    "effectivePeriod",
    "medicationReference",
    "onsetString",
    "note",
    "fhir_comments",
    "unknownElement",
    "component",
    "deceasedBoolean",
    "contained",
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def variants(draw: st.DrawFn) -> JsonObject:
    """A fixture or generated resource with one to three mutations anywhere in it."""
    resource = copy.deepcopy(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(resource) if p and p != ("resourceType",)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _at(resource, path[:-1])
        action = draw(st.sampled_from(("replace", "delete", "add", "duplicate")))
        if action == "replace":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add":
            target = parent if isinstance(parent, dict) else resource
            target[draw(st.sampled_from(EXTRA_KEYS))] = copy.deepcopy(
                draw(st.sampled_from(ODD_VALUES))
            )
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[draw(st.sampled_from(EXTRA_KEYS))] = copy.deepcopy(parent[path[-1]])
    return resource


def _facts_both_ways(resources: list[JsonObject], terminology: Terminology) -> tuple[Any, Any]:
    configure_validation_cache(0)
    try:
        configure_fast_validation(True)
        fast = extract_facts(copy.deepcopy(resources), terminology, TODAY)
        configure_fast_validation(False)
        slow = extract_facts(copy.deepcopy(resources), terminology, TODAY)
    finally:
        configure_fast_validation(True)
    return fast, slow


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_mutated_resources_have_the_same_outcome(resource: JsonObject) -> None:
    assert combined_outcome(resource) == fhir_resources_outcome(resource)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_many_mutated_resources_have_the_same_outcome(resource: JsonObject) -> None:
    assert combined_outcome(resource) == fhir_resources_outcome(resource)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resources=st.lists(variants(), min_size=1, max_size=6))
def test_mutated_charts_give_the_same_facts(
    resources: list[JsonObject], terminology: Terminology
) -> None:
    fast, slow = _facts_both_ways(resources, terminology)
    assert fast == slow


def test_every_scenario_gives_the_same_facts_either_way(terminology: Terminology) -> None:
    for path in sorted(SCENARIOS_DIR.glob("*/bundle.json")):
        resources = list(_resources_in(json.loads(path.read_text())))
        fast, slow = _facts_both_ways(resources, terminology)
        assert fast == slow, path.parent.name
