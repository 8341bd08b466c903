"""The cards' link to the disease-course timeline: an opaque, short-lived, encrypted reference.

A card's link carries no patient data in clear. It carries a compact JWE (``dir`` +
``A256GCM``, RFC 7516) that only this service can open, holding the FHIR server to read, the
patient id, the finding codes of the call, the references of the resources those findings
cited (so that the page rings them whichever hook issued the card), the draft orders of an
ordering session (order-select, order-sign: they are not in the patient's record, so the page
can draw them only from here), the evaluation date and ``exp`` (15 minutes). The
page ``GET /timeline/{ref}`` opens it; anything that does not open (tampered, expired, made
with another key) is simply "not found".

The key is derived from ``CDS_LINK_SECRET`` (32+ random bytes, hex or base64url). Without it,
development mode keeps a key in ``var/link-key`` (``link_key``), shared by workers and kept
across restarts; production needs ``CDS_LINK_SECRET`` for links (without it they are off).
The lifetime is ``CDS_LINK_LIFETIME_SECONDS`` (15 minutes by default).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import orjson
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from cds_service.cdshooks.link_key import development_link_key
from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.settings import Settings, decode_link_secret

__all__ = ["LINK_LIFETIME_SECONDS", "CardLinks", "TimelineLinks", "TimelineRef"]

LINK_LIFETIME_SECONDS = 15 * 60
MAX_REF_CHARS = 4096
# The cited references a link carries, in characters of the references joined: keeps the
# encrypted reference well under MAX_REF_CHARS (a call's cards cite 2-13 resources, <500
# characters, in the fixture scenarios); references beyond the budget are not ringed.
MAX_CITED_CHARS = 1500
# The draft orders a link carries, in characters of their fields: an ordering session drafts
# 1-3 orders in the fixture scenarios; orders beyond the budget are not drawn (the page names
# a cited one it cannot draw). Display texts are cut to DRAFT_DISPLAY_CHARS.
MAX_DRAFT_CHARS = 600
DRAFT_DISPLAY_CHARS = 60
_PROTECTED = {"alg": "dir", "enc": "A256GCM"}
_ALGORITHMS = ("dir", "A256GCM")
_KEY_CONTEXT = b"myositis-cds/timeline-link/v1\x00"


@dataclass(frozen=True, slots=True)
class TimelineRef:
    """What a link's reference holds once opened."""

    patient_id: str
    fhir_server: str | None
    finding_codes: tuple[str, ...]
    evaluated_on: date
    expires_at: int
    cited: tuple[str, ...] = ()  # references of the resources the findings cited
    drafts: tuple[DraftOrder, ...] = ()  # the ordering session's draft orders (order hooks)


@dataclass(frozen=True, slots=True)
class CardLinks:
    """The page URL (``absolute`` link) and the opaque reference (``smart`` appContext)."""

    url: str
    ref: str
    smart_launch_url: str = ""


class TimelineLinks:
    """Makes and opens timeline references with one symmetric key."""

    def __init__(
        self,
        secret: bytes,
        base_url: str,
        *,
        smart_launch_url: str | None = None,
        embedded_fallback: bool = False,
        lifetime_seconds: int = LINK_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = OctKey.import_key(hashlib.sha256(_KEY_CONTEXT + secret).digest())
        self._base = base_url.rstrip("/")
        self._smart = smart_launch_url or ""
        self._lifetime = lifetime_seconds
        self._clock = clock
        self.embedded_fallback = embedded_fallback

    @classmethod
    def from_settings(cls, settings: Settings) -> TimelineLinks | None:
        """The link maker of a service, or None when links are off (see the module doc)."""
        secret = link_secret(settings)
        if secret is None:
            return None
        return cls(
            secret,
            settings.public_base_url,
            smart_launch_url=settings.smart_launch,
            embedded_fallback=settings.serves_embedded_fhir,
            lifetime_seconds=settings.link_lifetime_seconds,
        )

    def expired_patient(self, ref: str) -> TimelineRef | None:
        """What an authentic but expired reference held (to offer a fresh launch), else None."""
        opened = self._decrypt(ref)
        return None if opened is None else _ref_from_claims(opened, float("-inf"))

    def make(
        self,
        *,
        patient_id: str,
        fhir_server: str | None,
        finding_codes: Sequence[str],
        evaluated_on: date,
        cited: Sequence[str] = (),
        drafts: Sequence[DraftOrder] = (),
    ) -> CardLinks | None:
        """Links for one call's cards; None when the page could not read the patient's data.
        ``drafts``: the draft orders of an order-hook call, those cited first."""
        if not patient_id or (fhir_server is None and not self.embedded_fallback):
            return None
        claims: dict[str, Any] = {
            "pid": patient_id,
            "fnd": list(finding_codes),
            "day": evaluated_on.isoformat(),
            "exp": int(self._clock()) + self._lifetime,
        }
        if cited:
            claims["cit"] = _within_budget(cited)
        if drafts:
            claims["drf"] = _drafts_within_budget(drafts, frozenset(cited))
        if fhir_server:
            claims["srv"] = fhir_server
        ref = jwe.encrypt_compact(
            _PROTECTED, orjson.dumps(claims), self._key, algorithms=_ALGORITHMS
        )
        return CardLinks(
            url=f"{self._base}/timeline/{quote(ref, safe='.-_')}",
            ref=ref,
            smart_launch_url=self._smart,
        )

    def open(self, ref: str) -> TimelineRef | None:
        """The reference's content, or None when it is invalid, tampered with or expired."""
        claims = self._decrypt(ref)
        return None if claims is None else _ref_from_claims(claims, self._clock())

    def _decrypt(self, ref: str) -> object | None:
        if not ref or len(ref) > MAX_REF_CHARS:
            return None
        try:
            decrypted = jwe.decrypt_compact(ref, self._key, algorithms=_ALGORITHMS)
            claims: object = orjson.loads(decrypted.plaintext or b"")
        except (JoseError, ValueError, TypeError):
            return None
        return claims


def link_secret(settings: Settings) -> bytes | None:
    """The links' key: CDS_LINK_SECRET, else the development key file; None if links are off."""
    if not settings.links_on:
        return None
    if settings.link_secret is not None:
        return decode_link_secret(settings.link_secret.get_secret_value())
    if settings.is_dev:
        return development_link_key(settings.var_dir)
    return None


def _within_budget(references: Sequence[str]) -> list[str]:
    kept: list[str] = []
    used = 0
    for reference in dict.fromkeys(references):
        used += len(reference) + 1
        if used > MAX_CITED_CHARS:
            break
        kept.append(reference)
    return kept


def _drafts_within_budget(
    drafts: Sequence[DraftOrder], cited: frozenset[str]
) -> list[list[str | bool]]:
    """Each draft as [reference, agent, drug class, display, status, selected], cited first."""
    kept: list[list[str | bool]] = []
    used = 0
    for order in sorted(drafts, key=lambda o: o.reference not in cited):
        row: list[str | bool] = [
            order.reference,
            order.agent.value if order.agent else "",
            order.drug_class.value if order.drug_class else "",
            order.display[:DRAFT_DISPLAY_CHARS],
            order.status[:20],
            order.selected,
        ]
        used += sum(len(str(field)) + 3 for field in row)
        if used > MAX_DRAFT_CHARS:
            break
        kept.append(row)
    return kept


def _drafts_from_claims(value: object) -> tuple[DraftOrder, ...] | None:
    """The drafts of a link's claims; None when they are malformed."""
    if not isinstance(value, list):
        return None
    drafts: list[DraftOrder] = []
    for row in value:
        if not (isinstance(row, list) and len(row) == 6):
            return None
        reference, agent, drug_class, display, status, selected = row
        if not all(isinstance(f, str) for f in (reference, agent, drug_class, display, status)):
            return None
        if not isinstance(selected, bool) or not reference:
            return None
        try:
            drafts.append(
                DraftOrder(
                    reference=reference,
                    selected=selected,
                    status=status,
                    agent=Agent(agent) if agent else None,
                    drug_class=DrugClass(drug_class) if drug_class else None,
                    display=display,
                )
            )
        except ValueError:
            return None
    return tuple(drafts)


def _ref_from_claims(claims: object, now: float) -> TimelineRef | None:
    if not isinstance(claims, dict):
        return None
    patient_id, server, codes = claims.get("pid"), claims.get("srv"), claims.get("fnd")
    expires_at, day = claims.get("exp"), claims.get("day")
    if not isinstance(expires_at, int) or expires_at <= now:
        return None
    if not isinstance(patient_id, str) or not patient_id:
        return None
    if server is not None and not isinstance(server, str):
        return None
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return None
    cited = claims.get("cit", [])
    if not isinstance(cited, list) or not all(isinstance(c, str) for c in cited):
        return None
    drafts = _drafts_from_claims(claims.get("drf", []))
    if drafts is None:
        return None
    try:
        evaluated_on = date.fromisoformat(day) if isinstance(day, str) else None
    except ValueError:
        return None
    if evaluated_on is None:
        return None
    return TimelineRef(
        patient_id=patient_id,
        fhir_server=server,
        finding_codes=tuple(codes),
        evaluated_on=evaluated_on,
        expires_at=expires_at,
        cited=tuple(cited),
        drafts=drafts,
    )
