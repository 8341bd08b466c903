"""Service configuration: environment variables with the prefix ``CDS_``.

Every setting is documented in docs/contract.md, "Settings" (a test checks it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


class Settings(BaseSettings):
    """All settings of the service. Unsafe combinations are refused at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="CDS_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    env: Environment = Field(default=Environment.PROD, description="dev or prod")
    host: str = Field(default="127.0.0.1", description="address to bind")
    port: int = Field(default=8000, ge=1, le=65535, description="port to bind")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes")
    auth_required: bool = Field(default=True, description="verify the EHR's JWT everywhere")
    public_base_url: str = Field(
        default="",
        description=(
            "external base URL of the service; JWT aud is checked against it; "
            "default: the address served, http://{host}:{port} (127.0.0.1 for 0.0.0.0)"
        ),
    )
    trusted_clients: Path | None = Field(
        default=None, description="JSON file of trusted CDS clients (docs/security.md)"
    )
    auth_algorithms: tuple[str, ...] = Field(
        default=("ES384", "RS384"),
        description="JWT algorithms accepted (ES256, RS256, PS384 may be added; never none/HS*)",
    )
    auth_leeway_seconds: int = Field(
        default=60, ge=0, le=60, description="clock skew allowed on exp, iat and nbf"
    )
    auth_tenant_required: bool = Field(
        default=False, description="refuse tokens without a tenant claim"
    )
    database_url: str = Field(
        default="sqlite:///./var/feedback.sqlite3",
        description="SQLAlchemy URL where feedback is stored",
    )
    mappings_dir: Path = Field(default=PROJECT_ROOT / "mappings", description="terminology tables")
    fixtures_dir: Path = Field(
        default=PROJECT_ROOT / "fixtures", description="synthetic patients (dev)"
    )
    thresholds_file: Path | None = Field(
        default=None, description="TOML file overriding the engine's clinical thresholds"
    )
    cors_origins: tuple[str, ...] | None = Field(
        default=None,
        description="CORS origins (browser CDS clients); unset: any in dev, none in prod",
    )
    fhir_timeout_seconds: float = Field(
        default=2.0, gt=0, le=30, description="deadline for all FHIR fetches of one call"
    )
    fhir_max_pages: int = Field(default=20, ge=1, le=1000, description="Bundle pages followed")
    max_body_bytes: int = Field(default=10_000_000, ge=1024, description="request size limit")
    max_json_depth: int = Field(default=64, ge=8, description="JSON nesting limit")
    max_entries: int = Field(default=20_000, ge=1, description="resources read per call")
    gc_tuning: bool = Field(
        default=True,
        description=(
            "after start-up, freeze the loaded heap out of the garbage collector and collect "
            "the young generation less often (docs/performance.md)"
        ),
    )
    validation_cache_size: int = Field(
        default=50_000,
        ge=0,
        description="fhir.resources validation outcomes remembered by content (0: off)",
    )
    fast_validation: bool = Field(
        default=True,
        description="validate common resource shapes with the compiled fast path first",
    )
    bench_endpoints: bool = Field(
        default=False, description="mount /bench/* for the benchmark harness (never in prod)"
    )
    embedded_fhir: bool | None = Field(
        default=None, description="serve fixtures as a read-only FHIR endpoint (dev default)"
    )
    log_level: str = Field(default="INFO", description="log level")
    today: date | None = Field(
        default=None,
        description="fixed evaluation date (dev only; the fixtures' clinical dates are fixed)",
    )
    link_secret: SecretStr | None = Field(
        default=None,
        description=(
            "key of the cards' timeline links: 32+ random bytes, hex or base64url; unset: a "
            "key kept in {var_dir}/link-key in dev; required in prod when links are on"
        ),
    )
    timeline_links: bool | None = Field(
        default=None,
        description="cards link to the course timeline (default: on in dev; in prod, on "
        "when CDS_LINK_SECRET is set)",
    )
    link_lifetime_seconds: int = Field(
        default=900, ge=60, le=86_400, description="how long a card's timeline link opens"
    )
    var_dir: Path = Field(
        default=Path("var"), description="working files (the development link key)"
    )
    smart_app: bool | None = Field(
        default=None,
        description="the timeline as a SMART app at /smart/launch; cards carry a smart link "
        "(default: on in dev, off in prod)",
    )
    smart_launch_url: str | None = Field(
        default=None,
        description="launch URL of the cards' smart link (default: {public_base_url}/smart/launch)",
    )
    dev_fhir_require_tokens: bool = Field(
        default=False,
        description="the embedded FHIR endpoint answers only reads with a token it issued (dev)",
    )
    max_calls_in_progress: int = Field(
        default=16,
        ge=0,
        le=10_000,
        description=(
            "CDS service calls handled at once per worker; beyond it an immediate 503 with "
            "Retry-After (0: no limit)"
        ),
    )
    header_timeout_seconds: float = Field(
        default=5.0, gt=0, le=300, description="time to receive a request's line and headers"
    )
    max_header_bytes: int = Field(
        default=32_768, ge=4096, le=1_048_576, description="request line + headers size (431)"
    )
    max_header_count: int = Field(
        default=100, ge=16, le=1000, description="request headers per request (431)"
    )
    keep_alive_timeout_seconds: int = Field(
        default=5, ge=1, le=600, description="idle time before a keep-alive connection is closed"
    )
    request_timeout_seconds: float = Field(
        default=15.0, gt=0, le=600, description="time to read a request's body and answer it"
    )

    operations_token: SecretStr | None = Field(
        default=None,
        description=(
            "bearer token of the operations endpoints (/metrics and reports); unset: open in "
            "dev, refused (403) in prod"
        ),
    )

    ledger_key: SecretStr | None = Field(
        default=None,
        description=(
            "key of the pseudonymous patient key in the ledger of issued cards (HMAC-SHA256): "
            "32+ random bytes, hex or base64url; unset: no patient key is recorded"
        ),
    )
    feedback_retention_days: int = Field(
        default=400,
        ge=1,
        le=3650,
        description="days the ledger of issued cards and the feedback are kept",
    )

    @field_validator(
        "link_secret", "smart_launch_url", "operations_token", "today", "ledger_key", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # `CDS_LINK_SECRET=` in a compose or .env file

    @model_validator(mode="after")
    def _base_url_from_address(self) -> Self:
        if not self.public_base_url:
            host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(self.host, self.host)  # noqa: S104
            object.__setattr__(self, "public_base_url", f"http://{host}:{self.port}")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Self:
        if self.env is Environment.PROD and not self.auth_required:
            raise ValueError("CDS_ENV=prod refuses to start with CDS_AUTH_REQUIRED=false")
        if self.auth_required and self.trusted_clients is None:
            raise ValueError("CDS_AUTH_REQUIRED needs CDS_TRUSTED_CLIENTS (trusted-clients file)")
        if self.env is Environment.PROD and self.bench_endpoints:
            raise ValueError("CDS_BENCH_ENDPOINTS is for benchmarks in development only")
        if self.env is Environment.PROD and not self.public_base_url.startswith("https://"):
            raise ValueError("CDS_ENV=prod needs an https CDS_PUBLIC_BASE_URL (JWT aud, links)")
        if self.env is Environment.PROD and self.today is not None:
            raise ValueError("CDS_TODAY (a fixed evaluation date) is for development only")
        if self.operations_token and len(self.operations_token.get_secret_value()) < 16:
            raise ValueError("CDS_OPERATIONS_TOKEN must hold at least 16 characters")
        if self.link_secret is not None:  # checked here so that errors never echo the secret
            decode_link_secret(self.link_secret.get_secret_value())
        if self.ledger_key is not None:
            decode_link_secret(self.ledger_key.get_secret_value(), "CDS_LEDGER_KEY")
        if self.env is Environment.PROD and self.timeline_links and self.link_secret is None:
            raise ValueError("CDS_TIMELINE_LINKS in prod needs CDS_LINK_SECRET (a shared key)")
        return self

    @property
    def links_on(self) -> bool:
        if self.timeline_links is not None:
            return self.timeline_links
        return self.is_dev or self.link_secret is not None

    @property
    def smart_app_on(self) -> bool:
        """The SMART app is served (it needs the links' key for its appContext)."""
        enabled = self.is_dev if self.smart_app is None else self.smart_app
        return enabled and self.links_on

    @property
    def smart_launch(self) -> str | None:
        """The cards' smart link URL, or None when cards carry none."""
        if self.smart_launch_url:
            return self.smart_launch_url
        return self.public_base_url.rstrip("/") + "/smart/launch" if self.smart_app_on else None

    @property
    def allowed_origins(self) -> list[str]:
        if self.cors_origins is not None:
            return list(self.cors_origins)
        return ["*"] if self.is_dev else []

    def evaluation_day(self) -> date:
        """The day cards are judged on: ``CDS_TODAY`` when set, else today (UTC)."""
        return self.today or datetime.now(UTC).date()

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV

    @property
    def serves_embedded_fhir(self) -> bool:
        return self.is_dev if self.embedded_fhir is None else self.embedded_fhir and self.is_dev


LINK_SECRET_MIN_BYTES = 32


def decode_link_secret(text: str, name: str = "CDS_LINK_SECRET") -> bytes:
    """A key setting (``CDS_LINK_SECRET``, ``CDS_LEDGER_KEY``) as bytes: hex, else base64url
    (padding optional); 32 bytes or more."""
    import base64
    import binascii
    import re

    text = text.strip()
    try:
        if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text):
            raw = bytes.fromhex(text)
        else:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        raise ValueError(f"{name} must be hex or base64url") from None
    if len(raw) < LINK_SECRET_MIN_BYTES:
        raise ValueError(f"{name} must hold at least {LINK_SECRET_MIN_BYTES} bytes")
    return raw
