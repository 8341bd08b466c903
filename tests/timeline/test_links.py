"""The timeline link: an encrypted, short-lived, opaque reference (JWE dir + A256GCM)."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from cds_service.cdshooks.link_key import KEY_FILE_NAME
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


def test_dev_key_is_kept_under_var_created_once_mode_0600(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = TimelineLinks.from_settings(settings(var_dir=var))
    key_file = var / KEY_FILE_NAME
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_bytes()
    restarted = TimelineLinks.from_settings(settings(var_dir=var))  # a restart, another worker
    assert key_file.read_bytes() == written  # created once
    assert first is not None and restarted is not None
    made = first.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    assert restarted.open(made.ref) is not None  # the link survives the restart
    elsewhere = TimelineLinks.from_settings(settings(var_dir=tmp_path / "other"))
    assert elsewhere is not None
    assert elsewhere.open(made.ref) is None  # another key file, another key


def test_several_workers_share_the_development_key(tmp_path: Path) -> None:
    def key_of_a_fresh_process() -> str:
        code = (
            "from pathlib import Path; from cds_service.cdshooks.link_key import "
            f"development_link_key as k; print(k(Path({str(tmp_path)!r})).hex())"
        )
        done = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout.strip()

    assert key_of_a_fresh_process() == key_of_a_fresh_process()
    assert TimelineLinks.from_settings(settings(workers=2, var_dir=tmp_path)) is not None


def test_link_lifetime_is_a_setting(tmp_path: Path) -> None:
    links = TimelineLinks.from_settings(settings(var_dir=tmp_path, link_lifetime_seconds=120))
    assert links is not None
    made = links.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    opened = links.open(made.ref)
    assert opened is not None
    assert 100 <= opened.expires_at - time.time() <= 120


def test_an_expired_link_still_says_whose_it_was_but_does_not_open() -> None:
    clock = Clock()
    links = make_links(clock)
    made = links.make(
        patient_id=PATIENT, fhir_server=SERVER, finding_codes=[], evaluated_on=date.today()
    )
    assert made is not None
    clock.now += LINK_LIFETIME_SECONDS + 1
    assert links.open(made.ref) is None
    expired = links.expired_patient(made.ref)
    assert expired is not None and expired.patient_id == PATIENT
    assert make_links(clock).expired_patient(made.ref[:-2] + "AA") is None  # tampered


def test_prod_with_links_on_needs_a_secret() -> None:
    with pytest.raises(ValidationError, match="CDS_LINK_SECRET"):
        Settings.model_validate(
            {
                "env": "prod",
                "trusted_clients": "/nonexistent.json",
                "public_base_url": "https://cds.example.org",
                "timeline_links": True,
            }
        )


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
