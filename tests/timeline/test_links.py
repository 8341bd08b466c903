"""The timeline link: an encrypted, short-lived, opaque reference (JWE dir + A256GCM)."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from pydantic import ValidationError

from cds_service.cdshooks.timeline_link import (
    LINK_LIFETIME_SECONDS,
    TimelineLinks,
)
from cds_service.settings import Settings, decode_link_secret

SECRET = bytes(range(32))
SERVER = "http://127.0.0.1:9999/fhir"
PATIENT = "syn-patient-42"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def make_links(clock: Clock | None = None, **kwargs: object) -> TimelineLinks:
    return TimelineLinks(SECRET, "https://cds.example.org/", clock=clock or Clock(), **kwargs)  # type: ignore[arg-type]


def test_round_trip_carries_server_patient_codes_and_date() -> None:
    links = make_links()
    made = links.make(
        patient_id=PATIENT,
        fhir_server=SERVER,
        finding_codes=["statin-and-hmgcr", "escalate-second-line"],
        evaluated_on=date(2026, 11, 15),
    )
    assert made is not None
    assert made.url == f"https://cds.example.org/timeline/{made.ref}"
    opened = links.open(made.ref)
    assert opened is not None
    assert opened.patient_id == PATIENT
    assert opened.fhir_server == SERVER
    assert opened.finding_codes == ("statin-and-hmgcr", "escalate-second-line")
    assert opened.evaluated_on == date(2026, 11, 15)


def test_the_reference_is_opaque_and_short() -> None:
    made = make_links().make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=["x"], evaluated_on=date.today()
    )
    assert made is not None
    assert made.ref.count(".") == 4  # compact JWE
    assert made.ref.split(".")[1] == ""  # dir: no encrypted key
    assert PATIENT not in made.url
    assert "127.0.0.1" not in made.url
    assert b"syn-patient" not in base64.urlsafe_b64decode(made.ref.split(".")[3] + "==")
    assert len(made.url) < 400


def test_expires_after_fifteen_minutes() -> None:
    clock = Clock()
    links = make_links(clock)
    made = links.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    clock.now += LINK_LIFETIME_SECONDS - 1
    assert links.open(made.ref) is not None
    clock.now += 1
    assert links.open(made.ref) is None
    assert LINK_LIFETIME_SECONDS == 900


@pytest.mark.parametrize(
    "spoil",
    [
        lambda ref: ref[:-4] + ("AAAA" if not ref.endswith("AAAA") else "BBBB"),
        lambda ref: ".".join(p if i != 3 else p[::-1] for i, p in enumerate(ref.split("."))),
        lambda ref: ref.replace("eyJ", "eyK", 1),
        lambda ref: "",
        lambda ref: "not-a-jwe",
        lambda ref: ref + "." + ref,
        lambda ref: "A" * 5000,
    ],
    ids=["tag", "ciphertext", "header", "empty", "junk", "doubled", "huge"],
)
def test_a_spoiled_reference_does_not_open(spoil: object) -> None:
    links = make_links()
    made = links.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    assert links.open(spoil(made.ref)) is None  # type: ignore[operator]


def test_another_key_does_not_open_it() -> None:
    made = make_links().make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    other = TimelineLinks(bytes(32), "https://cds.example.org", clock=Clock())
    assert other.open(made.ref) is None


def test_no_link_without_a_source_to_read() -> None:
    kwargs = {"patient_id": PATIENT, "fhir_server": None, "finding_codes": ["x"]}
    assert make_links().make(evaluated_on=date.today(), **kwargs) is None  # type: ignore[arg-type]
    with_fixtures = make_links(embedded_fallback=True)
    made = with_fixtures.make(evaluated_on=date.today(), **kwargs)  # type: ignore[arg-type]
    assert made is not None
    opened = with_fixtures.open(made.ref)
    assert opened is not None
    assert opened.fhir_server is None


def test_smart_launch_url_rides_along() -> None:
    made = make_links(smart_launch_url="https://app.example.org/launch").make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    assert made.smart_launch_url == "https://app.example.org/launch"


def settings(**values: object) -> Settings:
    return Settings.model_validate({"env": "dev", "auth_required": False, **values})


def test_dev_with_one_worker_gets_a_random_key() -> None:
    first = TimelineLinks.from_settings(settings())
    second = TimelineLinks.from_settings(settings())
    assert first is not None and second is not None
    made = first.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    assert first.open(made.ref) is not None
    assert second.open(made.ref) is None  # per-process keys differ


def test_several_workers_without_a_secret_turn_links_off() -> None:
    assert TimelineLinks.from_settings(settings(workers=2)) is None


def test_prod_without_a_secret_turns_links_off() -> None:
    prod = Settings.model_construct(
        **{**settings().model_dump(), "env": "prod", "auth_required": True}
    )
    assert TimelineLinks.from_settings(prod) is None


def test_a_configured_secret_is_shared_by_workers() -> None:
    secret = SECRET.hex()
    one = TimelineLinks.from_settings(settings(workers=2, link_secret=secret))
    two = TimelineLinks.from_settings(settings(workers=2, link_secret=secret))
    assert one is not None and two is not None
    made = one.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    assert two.open(made.ref) is not None


@pytest.mark.parametrize(
    "text",
    [SECRET.hex(), base64.urlsafe_b64encode(SECRET).decode().rstrip("="), (SECRET * 2).hex()],
    ids=["hex", "base64url", "64-bytes"],
)
def test_secret_spellings(text: str) -> None:
    assert len(decode_link_secret(text)) >= 32
    assert settings(link_secret=text).link_secret is not None


@pytest.mark.parametrize("text", ["00" * 31, "short", "!!not base64!!"])
def test_weak_or_malformed_secrets_refuse_to_start_without_echoing_them(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        settings(link_secret=text)
    assert text not in str(error.value)
    assert "CDS_LINK_SECRET" in str(error.value)
