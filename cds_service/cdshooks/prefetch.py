"""Prefetch resolution: the decision table of docs/conformance.md §1.4.

Per template key:

- key absent: fetch it from ``fhirServer`` (with the bearer token);
- ``null``, or an empty searchset Bundle: no data, nothing is fetched;
- an OperationOutcome: the client failed to get it; not refetched, a gap;
- a resource or a Bundle: used as given; a ``next`` link is followed on the server.

A required key that cannot be had (no usable ``fhirServer``, a fetch that fails or outlives
the deadline, an OperationOutcome) ends the call with 412;
an optional one becomes a stated gap.

The prefetch is read in one pass: each Bundle entry is looked at once, the relevance filter
(``fhir/relevance.py``) drops what the engine never reads (most Observations of a chart), and
only what is kept has its patient checked and is handed on.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cds_service.cdshooks.metrics import FHIR_FETCHES
from cds_service.cdshooks.registry import PrefetchTemplate
from cds_service.fhir.client import FhirFetchError, FhirReader, next_link
from cds_service.fhir.fixture_store import patient_of

JsonObject = dict[str, Any]
ReaderFactory = Callable[[], FhirReader]
Keep = Callable[[Mapping[str, Any]], bool]

_TOKEN = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


class PrefetchUnavailable(Exception):
    """Required data could not be had: the call answers 412. Messages name keys, not data."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(slots=True)
class ResolvedData:
    resources: list[JsonObject] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    fetched_keys: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Intake:
    """What one pass over the data keeps: the relevant resources of the patient in context."""

    resolved: ResolvedData
    keep: Keep | None
    patient_id: str | None
    other_patients: int = 0
    wrong_patient_resource: bool = False

    def take(self, resource: JsonObject) -> None:
        if self.keep is not None and not self.keep(resource):
            return
        if self.patient_id is not None:
            owner = patient_of(resource)
            if owner is not None and owner != self.patient_id:
                if resource.get("resourceType") == "Patient":
                    self.wrong_patient_resource = True
                else:
                    self.other_patients += 1
                return
        self.resolved.resources.append(resource)

    def take_bundle(self, bundle: Mapping[str, Any]) -> int:
        """Takes the resources of a Bundle's entries (search outcomes left out); returns how
        many entries held no resource object."""
        entries = bundle.get("entry")
        if not isinstance(entries, list):
            return 0
        unreadable = 0
        for entry in entries:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                unreadable += 1
                continue
            search = entry.get("search")
            if isinstance(search, dict) and search.get("mode") == "outcome":
                continue
            self.take(resource)
        return unreadable


def render_query(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with its tokens filled from the context; None when a token has no value."""
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        value = _token_value(match.group(1), context)
        if value is None:
            missing = True
            return ""
        return quote(value, safe="")

    rendered = _TOKEN.sub(substitute, template)
    return None if missing else rendered


def _token_value(token: str, context: Mapping[str, Any]) -> str | None:
    if token.startswith("context."):
        value = context.get(token.removeprefix("context."))
        return value if isinstance(value, str) and value else None
    resource_type = _USER_TOKENS.get(token)
    user = context.get("userId")
    if resource_type and isinstance(user, str) and user.startswith(resource_type + "/"):
        return user.removeprefix(resource_type + "/")
    return None


async def resolve_prefetch(
    templates: tuple[PrefetchTemplate, ...],
    prefetch: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    reader_factory: ReaderFactory | None,
    deadline_seconds: float,
    keep: Keep | None = None,
) -> ResolvedData:
    """Everything the templates ask for, from prefetch first and the FHIR server second.

    ``keep`` decides which resources are handed on (None: all); resources about another
    patient than ``context.patientId`` are left out and said, a Patient of another patient
    refuses the call (``WrongPatient``).
    """
    given = prefetch or {}
    resolved = ResolvedData()
    patient_id = context.get("patientId")
    intake = _Intake(resolved, keep, patient_id if isinstance(patient_id, str) else None)
    problems: list[str] = []
    to_fetch: list[tuple[PrefetchTemplate, str]] = []
    to_continue: list[tuple[PrefetchTemplate, str]] = []

    for template in templates:
        if template.key not in given:
            query = render_query(template.query, context)
            if query is None:
                _fail(
                    template,
                    "its query needs a context value the request lacks",
                    problems,
                    resolved,
                )
            elif reader_factory is None:
                _fail(template, "absent from prefetch and no usable fhirServer", problems, resolved)
            else:
                to_fetch.append((template, query))
            continue
        value = given[template.key]
        if value is None:
            continue
        if not isinstance(value, dict):
            _fail(template, "prefetch value is not a FHIR resource", problems, resolved)
            continue
        resource_type = value.get("resourceType")
        if resource_type == "OperationOutcome":
            _fail(template, "the client reported an error (OperationOutcome)", problems, resolved)
        elif resource_type == "Bundle":
            _note_unreadable(template, intake.take_bundle(value), resolved)
            link = next_link(value)
            if link is not None:
                if reader_factory is None:
                    _fail(template, "paged prefetch and no usable fhirServer", problems, resolved)
                else:
                    to_continue.append((template, link))
        else:
            intake.take(value)

    if to_fetch or to_continue:
        assert reader_factory is not None
        await _fetch_all(to_fetch, to_continue, reader_factory, deadline_seconds, intake, problems)
    if problems:
        raise PrefetchUnavailable(problems)
    if intake.wrong_patient_resource:
        raise WrongPatient("the Patient given is not the patient in context")
    if intake.other_patients:
        dropped = intake.other_patients
        resolved.gaps.append(
            f"{dropped} resource{'s' if dropped > 1 else ''} about another patient left out"
        )
    return resolved


class WrongPatient(Exception):
    """The data given is about another patient than ``context.patientId``: refused (422)."""


def _note_unreadable(template: PrefetchTemplate, count: int, resolved: ResolvedData) -> None:
    if count:
        resolved.gaps.append(
            f"{count} {template.resource_type} Bundle entr{'y' if count == 1 else 'ies'} "
            "could not be read"
        )


def _fail(
    template: PrefetchTemplate, why: str, problems: list[str], resolved: ResolvedData
) -> None:
    message = f"prefetch key '{template.key}' ({template.resource_type}): {why}"
    if template.required:
        problems.append(message)
    else:
        resolved.gaps.append(f"{template.resource_type} not available: {why}")


async def _fetch_all(
    to_fetch: list[tuple[PrefetchTemplate, str]],
    to_continue: list[tuple[PrefetchTemplate, str]],
    reader_factory: ReaderFactory,
    deadline_seconds: float,
    intake: _Intake,
    problems: list[str],
) -> None:
    resolved = intake.resolved
    async with reader_factory() as reader:
        jobs: dict[asyncio.Task[list[JsonObject]], PrefetchTemplate] = {}
        for template, query in to_fetch:
            jobs[asyncio.create_task(_fetch_one(reader, template, query))] = template
        for template, link in to_continue:
            jobs[asyncio.create_task(_continue_paging(reader, link))] = template
        _done, pending = await asyncio.wait(jobs, timeout=deadline_seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for task, template in jobs.items():
            if task in pending:
                FHIR_FETCHES.labels(template.resource_type, "timeout").inc()
                _fail(
                    template,
                    "the FHIR server did not answer within the deadline",
                    problems,
                    resolved,
                )
                continue
            error = task.exception()
            if isinstance(error, FhirFetchError):
                FHIR_FETCHES.labels(template.resource_type, "error").inc()
                _fail(template, error.problem, problems, resolved)
            elif error is not None:
                FHIR_FETCHES.labels(template.resource_type, "error").inc()
                _fail(template, f"unexpected {type(error).__name__}", problems, resolved)
            else:
                FHIR_FETCHES.labels(template.resource_type, "ok").inc()
                for resource in task.result():
                    intake.take(resource)
                resolved.fetched_keys.append(template.key)
        _note_unreadable_fetched(reader, resolved)


def _note_unreadable_fetched(reader: FhirReader, resolved: ResolvedData) -> None:
    if reader.unreadable_entries:
        resolved.gaps.append(
            f"{reader.unreadable_entries} Bundle entries from the FHIR server could not be read"
        )


async def _fetch_one(
    reader: FhirReader, template: PrefetchTemplate, query: str
) -> list[JsonObject]:
    if template.is_read:
        resource = await reader.read(query)
        return [] if resource is None else [resource]
    return await reader.search(query)


async def _continue_paging(reader: FhirReader, link: str) -> list[JsonObject]:
    """The pages after a prefetch Bundle's first one."""
    return await reader.continue_search(link)
