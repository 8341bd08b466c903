"""What the running service holds: loaded once at start-up, read by every request."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from sqlalchemy import Engine

from cds_service.cdshooks.auth import SqlReplayCache, TokenVerifier, load_trusted_clients
from cds_service.cdshooks.feedback_store import FeedbackStore, make_engine
from cds_service.cdshooks.pipeline import Pipeline
from cds_service.engine.thresholds import Thresholds, thresholds_from_mapping
from cds_service.fhir.fixture_dates import days_from_anchor
from cds_service.fhir.fixture_store import FixtureStore
from cds_service.fhir.jwks_fetch import HttpJwksFetcher
from cds_service.settings import Settings
from cds_service.terminology import Terminology, TerminologyError, load_terminology


@dataclass(slots=True)
class ServiceState:
    settings: Settings
    feedback: FeedbackStore
    terminology: Terminology | None = None
    terminology_problems: tuple[str, ...] = ()
    pipeline: Pipeline | None = None
    fixtures: FixtureStore | None = None
    verifier: TokenVerifier | None = None

    @property
    def ready(self) -> bool:
        return self.pipeline is not None


def load_thresholds(settings: Settings) -> Thresholds:
    if settings.thresholds_file is None:
        return Thresholds()
    with settings.thresholds_file.open("rb") as handle:
        return thresholds_from_mapping(tomllib.load(handle))


def build_verifier(settings: Settings, store_engine: Engine) -> TokenVerifier | None:
    """The JWT verifier when authentication is on; a bad trusted-clients file stops start-up."""
    if not settings.auth_required or settings.trusted_clients is None:
        return None
    return TokenVerifier(
        load_trusted_clients(settings.trusted_clients),
        algorithms=settings.auth_algorithms,
        leeway_seconds=settings.auth_leeway_seconds,
        replay_cache=SqlReplayCache(store_engine),
        jwks_fetcher=HttpJwksFetcher(timeout_seconds=settings.fhir_timeout_seconds),
        tenant_required=settings.auth_tenant_required,
    )


def build_state(settings: Settings) -> ServiceState:
    store_engine = make_engine(settings.database_url)
    state = ServiceState(
        settings=settings,
        feedback=FeedbackStore(store_engine),
        verifier=build_verifier(settings, store_engine),
    )
    if settings.serves_embedded_fhir:
        state.fixtures = FixtureStore.from_directory(
            settings.fixtures_dir, lambda: days_from_anchor(settings.evaluation_day())
        )
    try:
        state.terminology = load_terminology(settings.mappings_dir)
    except TerminologyError as error:
        state.terminology_problems = error.problems
        return state
    state.pipeline = Pipeline(
        terminology=state.terminology,
        thresholds=load_thresholds(settings),
        base_url=settings.public_base_url.rstrip("/"),
        fhir_deadline_seconds=settings.fhir_timeout_seconds,
    )
    return state
