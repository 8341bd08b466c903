"""``build_service``: the one composition root. Everything is loaded here, once.

Settings come in; terminology tables, thresholds, trusted clients (for the JWT verifier and
the FHIR-server policy alike), the link key, the feedback store and, in development, the
fixture patients are loaded and wired into one ``CdsService``. A failure of the terminology
tables does not stop start-up: the service is built not ready (``/readyz`` answers 503 with
the problems); a bad trusted-clients or thresholds file does stop it.
"""

from __future__ import annotations

import tomllib

import structlog

from cds_service.cdshooks.auth import (
    SqlReplayCache,
    TokenVerifier,
    TrustedClients,
    load_trusted_clients,
)
from cds_service.cdshooks.card_ledger import CardLedger
from cds_service.cdshooks.feedback_store import FeedbackStore
from cds_service.cdshooks.fhir_access import FhirAccess
from cds_service.cdshooks.pipeline import Pipeline
from cds_service.cdshooks.smart_app import SmartApp
from cds_service.cdshooks.timeline_link import TimelineLinks, link_secret
from cds_service.cdshooks.timeline_source import TimelineSource
from cds_service.engine.thresholds import Thresholds, thresholds_from_mapping
from cds_service.fhir.dev_smart_server import DevSmartServer
from cds_service.fhir.fixture_dates import days_from_anchor
from cds_service.fhir.fixture_store import FixtureStore
from cds_service.fhir.jwks_fetch import HttpJwksFetcher
from cds_service.service.core import CdsService
from cds_service.settings import Settings, decode_link_secret
from cds_service.storage import SchemaGate, make_engine
from cds_service.terminology import Terminology, TerminologyError, load_terminology

log = structlog.get_logger("cds_service")


def build_service(settings: Settings, *, offline: bool = False) -> CdsService:
    """The service for ``settings``. ``offline`` (``myositis-cds evaluate``): answers from the
    request's prefetch alone, never calls a FHIR server, issues no timeline links and opens
    no database."""
    terminology, problems = _terminology(settings)
    if offline:
        return CdsService(
            settings=settings,
            access=FhirAccess(settings),
            pipeline=_pipeline(settings, terminology, links=None),
            terminology=terminology,
            problems=problems,
            reads_fhir=False,
        )
    store_engine = make_engine(settings.database_url)
    trusted = None
    if settings.auth_required and settings.trusted_clients is not None:
        trusted = load_trusted_clients(settings.trusted_clients)
    verifier = None
    if trusted is not None:
        verifier = TokenVerifier(
            trusted,
            algorithms=settings.auth_algorithms,
            leeway_seconds=settings.auth_leeway_seconds,
            replay_cache=SqlReplayCache(store_engine),
            jwks_fetcher=HttpJwksFetcher(timeout_seconds=settings.fhir_timeout_seconds),
            tenant_required=settings.auth_tenant_required,
        )
    access = FhirAccess(settings, trusted)
    fixtures = None
    if settings.serves_embedded_fhir:
        fixtures = FixtureStore.from_directory(
            settings.fixtures_dir, lambda: days_from_anchor(settings.evaluation_day())
        )
    links = TimelineLinks.from_settings(settings)
    if links is None:
        log.warning("timeline_links_disabled", reason="CDS_LINK_SECRET is not set")
    if problems:
        log.error("terminology_invalid", problems=len(problems))
    return CdsService(
        settings=settings,
        access=access,
        pipeline=_pipeline(settings, terminology, links),
        terminology=terminology,
        problems=problems,
        feedback=FeedbackStore(store_engine),
        schema=SchemaGate(store_engine),
        ledger=CardLedger(store_engine, retention_days=settings.feedback_retention_days),
        ledger_key=(
            decode_link_secret(settings.ledger_key.get_secret_value(), "CDS_LEDGER_KEY")
            if settings.ledger_key is not None
            else None
        ),
        verifier=verifier,
        fixtures=fixtures,
        links=links,
        timeline=TimelineSource(access, fixtures) if links is not None else None,
        smart=_smart_app(settings, links, trusted),
        dev_smart=_dev_smart_server(settings, fixtures),
    )


def _smart_app(
    settings: Settings, links: TimelineLinks | None, trusted: TrustedClients | None
) -> SmartApp | None:
    """The timeline's SMART app; it reads the trusted-clients file for ``smart_client_id``
    even where authentication is off (development against a SMART sandbox)."""
    if links is None or not settings.smart_app_on:
        return None
    if trusted is None and settings.trusted_clients is not None:
        trusted = load_trusted_clients(settings.trusted_clients)
    return SmartApp(settings, links, trusted)


def _dev_smart_server(settings: Settings, fixtures: FixtureStore | None) -> DevSmartServer | None:
    """The embedded endpoint's SMART server (development), keyed by the links' key."""
    secret = link_secret(settings) if fixtures is not None else None
    if fixtures is None or secret is None:
        return None
    return DevSmartServer(
        secret,
        settings.public_base_url.rstrip("/") + "/fhir",
        lambda patient_id: fixtures.read("Patient", patient_id) is not None,
    )


def load_thresholds(settings: Settings) -> Thresholds:
    if settings.thresholds_file is None:
        return Thresholds()
    with settings.thresholds_file.open("rb") as handle:
        return thresholds_from_mapping(tomllib.load(handle))


def _terminology(settings: Settings) -> tuple[Terminology | None, tuple[str, ...]]:
    try:
        return load_terminology(settings.mappings_dir), ()
    except TerminologyError as error:
        return None, tuple(error.problems)


def _pipeline(
    settings: Settings, terminology: Terminology | None, links: TimelineLinks | None
) -> Pipeline | None:
    if terminology is None:
        return None
    return Pipeline(
        terminology=terminology,
        thresholds=load_thresholds(settings),
        base_url=settings.public_base_url.rstrip("/"),
        fhir_deadline_seconds=settings.fhir_timeout_seconds,
        links=links,
    )
