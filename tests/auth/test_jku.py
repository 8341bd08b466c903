"""Keys published by ``jku``: only allow-listed URLs are fetched; fetched sets are cached."""

from __future__ import annotations

import pytest
from joserfc.jwk import ECKey

from cds_service.cdshooks.auth import AuthenticationError, JwksCache, Reason, TokenVerifier
from tests.auth.helpers import (
    AUD,
    ISS,
    JKU,
    FakeClock,
    RecordingFetcher,
    bearer,
    claims,
    make_client,
    make_verifier,
    public_jwks,
    sign,
)


@pytest.fixture
def rotated_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ehr-ec-2", "use": "sig"})


def jku_verifier(fetcher: RecordingFetcher, clock: FakeClock, *pinned: ECKey) -> TokenVerifier:
    client = make_client(*pinned, jku=frozenset({JKU}))
    return make_verifier(client, clock=clock, jwks_fetcher=fetcher)


def reason_of(verifier: TokenVerifier, token: str) -> Reason:
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(bearer(token), AUD)
    return info.value.reason


def test_jku_not_in_allow_list_is_never_fetched(
    attacker_ec_key: ECKey, ec_key: ECKey, clock: FakeClock
) -> None:
    evil = "https://evil.example.com/jwks.json"
    fetcher = RecordingFetcher({evil: public_jwks(attacker_ec_key)})
    verifier = jku_verifier(fetcher, clock, ec_key)
    token = sign(attacker_ec_key, claims(), kid="attacker-kid", jku=evil)
    assert reason_of(verifier, token) is Reason.JKU_NOT_ALLOWED
    assert fetcher.calls == []


def test_jku_of_another_client_is_not_fetched(ec_key: ECKey, clock: FakeClock) -> None:
    other_jku = "https://other.example.net/jwks.json"
    fetcher = RecordingFetcher({other_jku: public_jwks(ec_key)})
    other = make_client(iss="https://other.example.net", jku=frozenset({other_jku}))
    verifier = make_verifier(make_client(ec_key), other, clock=clock, jwks_fetcher=fetcher)
    token = sign(ec_key, claims(), kid="unpinned", jku=other_jku)
    assert reason_of(verifier, token) is Reason.JKU_NOT_ALLOWED
    assert fetcher.calls == []


def test_allowed_jku_fetched_once_and_cached(rotated_key: ECKey, clock: FakeClock) -> None:
    fetcher = RecordingFetcher({JKU: public_jwks(rotated_key)})
    verifier = jku_verifier(fetcher, clock)
    for _ in range(3):
        caller = verifier.verify(bearer(sign(rotated_key, claims(), jku=JKU)), AUD)
        assert caller.iss == ISS
        clock.now += 10
    assert fetcher.calls == [JKU]


def test_cached_jwks_refetched_after_ttl(rotated_key: ECKey, clock: FakeClock) -> None:
    fetcher = RecordingFetcher({JKU: public_jwks(rotated_key)})
    verifier = jku_verifier(fetcher, clock)
    verifier.verify(bearer(sign(rotated_key, claims(), jku=JKU)), AUD)
    clock.now += 301
    verifier.verify(bearer(sign(rotated_key, claims(iat=int(clock.now)), jku=JKU)), AUD)
    assert fetcher.calls == [JKU, JKU]


def test_unknown_kid_refetches_once_for_rotation(
    ec_key: ECKey, rotated_key: ECKey, clock: FakeClock
) -> None:
    fetcher = RecordingFetcher({JKU: public_jwks(ec_key)})
    verifier = jku_verifier(fetcher, clock)
    verifier.verify(bearer(sign(ec_key, claims(), jku=JKU)), AUD)
    fetcher.documents[JKU] = public_jwks(ec_key, rotated_key)  # the client rotates its keys
    clock.now += 60
    caller = verifier.verify(bearer(sign(rotated_key, claims(iat=int(clock.now)), jku=JKU)), AUD)
    assert caller.iss == ISS
    assert fetcher.calls == [JKU, JKU]


def test_unknown_kid_does_not_refetch_within_cooldown(ec_key: ECKey, clock: FakeClock) -> None:
    fetcher = RecordingFetcher({JKU: public_jwks(ec_key)})
    verifier = jku_verifier(fetcher, clock)
    verifier.verify(bearer(sign(ec_key, claims(), jku=JKU)), AUD)
    for n in range(3):
        token = sign(ec_key, claims(), kid=f"random-{n}", jku=JKU)
        assert reason_of(verifier, token) is Reason.KID_UNKNOWN
    assert fetcher.calls == [JKU]


def test_pinned_key_wins_and_nothing_is_fetched(ec_key: ECKey, clock: FakeClock) -> None:
    # The CDS Hooks Sandbox sends a jku even when its key is pinned (offline setups).
    fetcher = RecordingFetcher()
    verifier = jku_verifier(fetcher, clock, ec_key)
    token = sign(ec_key, claims(), jku="https://sandbox.cds-hooks.org/.well-known/jwks.json")
    assert verifier.verify(bearer(token), AUD).iss == ISS
    assert fetcher.calls == []


def test_fetch_failure_refused(rotated_key: ECKey, clock: FakeClock) -> None:
    fetcher = RecordingFetcher()  # no document: the fetch raises KeyError
    verifier = jku_verifier(fetcher, clock)
    token = sign(rotated_key, claims(), jku=JKU)
    assert reason_of(verifier, token) is Reason.JWKS_UNAVAILABLE
    assert fetcher.calls == [JKU]


@pytest.mark.parametrize(
    "document",
    [
        {"keys": []},
        {"keys": [{"kty": "oct", "kid": "ehr-ec-2", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}]},
        "not a jwks",
    ],
)
def test_invalid_fetched_jwks_refused(
    rotated_key: ECKey, clock: FakeClock, document: object
) -> None:
    verifier = jku_verifier(RecordingFetcher({JKU: document}), clock)
    assert reason_of(verifier, sign(rotated_key, claims(), jku=JKU)) is Reason.JWKS_UNAVAILABLE


def test_allowed_jku_without_fetcher_refused(rotated_key: ECKey, clock: FakeClock) -> None:
    verifier = make_verifier(make_client(jku=frozenset({JKU})), clock=clock)
    assert reason_of(verifier, sign(rotated_key, claims(), jku=JKU)) is Reason.JWKS_UNAVAILABLE


def test_jwks_cache_keeps_at_most_max_entries(ec_key: ECKey, clock: FakeClock) -> None:
    urls = [f"https://ehr.example.org/jwks/{n}.json" for n in range(3)]
    fetcher = RecordingFetcher(dict.fromkeys(urls, public_jwks(ec_key)))
    cache = JwksCache(fetcher, max_entries=2, clock=clock)
    for url in urls:
        assert cache.find_key(url, "ehr-ec-1") is not None
        clock.now += 1
    assert cache.find_key(urls[0], "ehr-ec-1") is not None  # evicted, so fetched again
    assert fetcher.calls == [*urls, urls[0]]
