"""TokenVerifier: valid tokens accepted, each attack refused with its own reason."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import ECKey, OctKey, RSAKey

from cds_service.cdshooks.auth import (
    AuthenticationError,
    InMemoryReplayCache,
    Reason,
    TokenVerifier,
)
from tests.auth.helpers import (
    AUD,
    ISS,
    NOW,
    FakeClock,
    b64url,
    bearer,
    claims,
    hmac_token,
    make_client,
    make_verifier,
    sign,
    unsigned_parts,
)


@pytest.fixture
def verifier(ec_key: ECKey, rsa_key: RSAKey, clock: FakeClock) -> TokenVerifier:
    return make_verifier(make_client(ec_key, rsa_key), clock=clock)


def refused(verifier: TokenVerifier, header: str | None, audience: str = AUD) -> Reason:
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(header, audience)
    return info.value.reason


# --- accepted -----------------------------------------------------------------------------


def test_es384_token_accepted(verifier: TokenVerifier, ec_key: ECKey) -> None:
    payload = claims(tenant="tenant-a")
    caller = verifier.verify(bearer(sign(ec_key, payload)), AUD)
    assert caller.iss == ISS
    assert caller.jti == payload["jti"]
    assert caller.tenant == "tenant-a"
    assert caller.client.iss == ISS


def test_rs384_token_accepted(verifier: TokenVerifier, rsa_key: RSAKey) -> None:
    caller = verifier.verify(bearer(sign(rsa_key, claims(), alg="RS384")), AUD)
    assert caller.iss == ISS
    assert caller.tenant is None


def test_aud_array_containing_the_url_accepted(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(aud=["https://elsewhere.example.org/x", AUD]))
    assert verifier.verify(bearer(token), AUD).iss == ISS


def test_bearer_scheme_is_case_insensitive(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert verifier.verify(f"bearer {sign(ec_key, claims())}", AUD).iss == ISS


def test_typ_may_be_absent(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert verifier.verify(bearer(sign(ec_key, claims(), typ=None)), AUD).iss == ISS


def test_expired_within_leeway_accepted(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(iat=int(NOW) - 300, exp=int(NOW) - 59))
    assert verifier.verify(bearer(token), AUD).iss == ISS


def test_nbf_in_the_past_accepted(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(nbf=int(NOW) - 300))
    assert verifier.verify(bearer(token), AUD).iss == ISS


def test_es256_accepted_when_configured(clock: FakeClock) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "p256"})
    verifier = make_verifier(make_client(key), clock=clock, algorithms=("ES256", "ES384"))
    assert verifier.verify(bearer(sign(key, claims(), alg="ES256")), AUD).iss == ISS


# --- the Authorization header -------------------------------------------------------------


def test_no_header_refused(verifier: TokenVerifier) -> None:
    assert refused(verifier, None) is Reason.MISSING_AUTHORIZATION
    assert refused(verifier, "  ") is Reason.MISSING_AUTHORIZATION


def test_not_bearer_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, f"Basic {sign(ec_key, claims())}") is Reason.NOT_BEARER


def test_bearer_with_extra_parts_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, f"Bearer {sign(ec_key, claims())} x") is Reason.MALFORMED_TOKEN


@pytest.mark.parametrize(
    "garbage",
    [
        "Bearer",
        "Bearer not-a-jwt",
        "Bearer a.b",
        "Bearer a.b.c.d",
        "Bearer e30.e30.!!",
        "Bearer W10.e30.",
        "Bearer " + "A" * 20_000,
    ],
)
def test_garbage_token_refused(verifier: TokenVerifier, garbage: str) -> None:
    assert refused(verifier, garbage) is Reason.MALFORMED_TOKEN


def test_duplicate_claim_names_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    # "iss" twice: JSON parsers disagree on which one wins, so such a payload is refused.
    header = unsigned_parts({"alg": "ES384", "typ": "JWT", "kid": ec_key.kid}, {}).split(".")[0]
    doubled = b64url(b'{"iss":"https://evil.example","iss":"' + ISS.encode() + b'"}')
    assert refused(verifier, bearer(f"{header}.{doubled}.c2ln")) is Reason.MALFORMED_TOKEN


def test_non_finite_numbers_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    header = unsigned_parts({"alg": "ES384", "typ": "JWT", "kid": ec_key.kid}, {}).split(".")[0]
    payload = b64url(b'{"iss":"' + ISS.encode() + b'","exp":NaN}')
    assert refused(verifier, bearer(f"{header}.{payload}.c2ln")) is Reason.MALFORMED_TOKEN


# --- algorithm confusion ------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"])
def test_alg_none_refused(verifier: TokenVerifier, ec_key: ECKey, signature: str) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": ec_key.kid}
    token = f"{unsigned_parts(header, claims())}.{signature}"
    assert refused(verifier, bearer(token)) is Reason.ALG_FORBIDDEN


def test_hs256_signed_with_public_key_refused(verifier: TokenVerifier, rsa_key: RSAKey) -> None:
    """The classic confusion attack: HMAC keyed with the server's known public key bytes."""
    public_pem = rsa_key.get_op_key("verify").public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}
    token = hmac_token(public_pem, header, claims())
    assert refused(verifier, bearer(token)) is Reason.ALG_FORBIDDEN


def test_hs384_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    secret = OctKey.generate_key(384).raw_value
    token = hmac_token(secret, {"alg": "HS384", "typ": "JWT", "kid": ec_key.kid}, claims())
    assert refused(verifier, bearer(token)) is Reason.ALG_FORBIDDEN


def test_es256_refused_when_not_configured(ec_key: ECKey, clock: FakeClock) -> None:
    p256 = ECKey.generate_key("P-256", parameters={"kid": "p256"})
    verifier = make_verifier(make_client(ec_key, p256), clock=clock)
    assert refused(verifier, bearer(sign(p256, claims(), alg="ES256"))) is Reason.ALG_NOT_ALLOWED


def test_rs384_header_with_ec_key_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims())
    header = {"alg": "RS384", "typ": "JWT", "kid": ec_key.kid}
    forged = ".".join([unsigned_parts(header, {}).split(".")[0], *token.split(".")[1:]])
    assert refused(verifier, bearer(forged)) is Reason.KEY_ALG_MISMATCH


@pytest.mark.parametrize("algorithms", [("HS256",), ("ES384", "none"), ("hs384",), ("EdDSA",), ()])
def test_forbidden_or_unknown_algorithms_cannot_be_configured(
    algorithms: tuple[str, ...], clock: FakeClock
) -> None:
    with pytest.raises(ValueError, match="algorithms"):
        make_verifier(make_client(), clock=clock, algorithms=algorithms)


# --- header checks ------------------------------------------------------------------------


def test_wrong_typ_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(), typ="at+jwt"))) is Reason.TYP_INVALID


def test_crit_header_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(), crit=["kid"])
    assert refused(verifier, bearer(token)) is Reason.CRIT_UNSUPPORTED


def test_unencoded_payload_option_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    # RFC 7797 b64=false would make the signature cover bytes other than the claims we read.
    header = {"alg": "ES384", "typ": "JWT", "kid": ec_key.kid, "crit": ["b64"], "b64": False}
    token = f"{unsigned_parts(header, claims())}.c2ln"
    assert refused(verifier, bearer(token)) is Reason.CRIT_UNSUPPORTED


def test_missing_kid_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(), kid=None))) is Reason.KID_MISSING


# --- issuer and key -----------------------------------------------------------------------


def test_unknown_iss_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(iss="https://evil.example.com"))
    assert refused(verifier, bearer(token)) is Reason.ISS_UNTRUSTED


def test_missing_iss_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(iss=None)))) is Reason.ISS_MISSING


def test_unknown_kid_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(), kid="not-pinned")
    assert refused(verifier, bearer(token)) is Reason.KID_UNKNOWN


def test_signature_by_wrong_key_refused(verifier: TokenVerifier, attacker_ec_key: ECKey) -> None:
    # The attacker reuses the pinned kid but signs with its own P-384 key.
    token = sign(attacker_ec_key, claims(), kid="ehr-ec-1")
    assert refused(verifier, bearer(token)) is Reason.SIGNATURE_INVALID


def test_tampered_payload_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    header, _, signature = sign(ec_key, claims()).split(".")
    tampered = unsigned_parts({}, claims(aud=AUD, tenant="someone-else")).split(".")[1]
    assert refused(verifier, bearer(f"{header}.{tampered}.{signature}")) is (
        Reason.SIGNATURE_INVALID
    )


def test_key_of_another_client_refused(ec_key: ECKey, clock: FakeClock) -> None:
    other = ECKey.generate_key("P-384", parameters={"kid": "other-1"})
    verifier = make_verifier(
        make_client(ec_key), make_client(other, iss="https://other.example.net"), clock=clock
    )
    # Signed by the other client's key but claiming to be ISS: kid is not in ISS's JWKS.
    assert refused(verifier, bearer(sign(other, claims()))) is Reason.KID_UNKNOWN


# --- audience -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "aud",
    [
        "https://cds.example.org/cds-services/other-service",
        "https://cds.evil.example/cds-services/refractory-iim",
        AUD + "/",
        "http://cds.example.org/cds-services/refractory-iim",
        ["https://cds.example.org/cds-services"],
        [],
        42,
    ],
)
def test_aud_mismatch_refused(verifier: TokenVerifier, ec_key: ECKey, aud: Any) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(aud=aud)))) is Reason.AUD_MISMATCH


def test_missing_aud_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(aud=None)))) is Reason.AUD_MISMATCH


# --- time ---------------------------------------------------------------------------------


def test_expired_beyond_leeway_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(iat=int(NOW) - 400, exp=int(NOW) - 61))
    assert refused(verifier, bearer(token)) is Reason.EXPIRED


def test_nbf_in_future_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(nbf=int(NOW) + 120, exp=int(NOW) + 600))
    assert refused(verifier, bearer(token)) is Reason.NBF_IN_FUTURE


def test_iat_in_future_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(iat=int(NOW) + 120, exp=int(NOW) + 400))
    assert refused(verifier, bearer(token)) is Reason.IAT_IN_FUTURE


def test_lifetime_over_one_hour_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(iat=int(NOW) - 10, exp=int(NOW) + 3600))
    assert refused(verifier, bearer(token)) is Reason.LIFETIME_TOO_LONG


def test_lifetime_of_exactly_one_hour_accepted(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(iat=int(NOW) - 10, exp=int(NOW) + 3590))
    assert verifier.verify(bearer(token), AUD).iss == ISS


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": None}, Reason.EXP_INVALID),
        ({"exp": "1750000300"}, Reason.EXP_INVALID),
        ({"exp": True}, Reason.EXP_INVALID),
        ({"iat": None}, Reason.IAT_INVALID),
        ({"nbf": "soon"}, Reason.NBF_INVALID),
        ({"exp": int(NOW) - 30, "iat": int(NOW) - 20}, Reason.LIFETIME_INVALID),
    ],
)
def test_bad_time_claims_refused(
    verifier: TokenVerifier, ec_key: ECKey, overrides: dict[str, Any], reason: Reason
) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(**overrides)))) is reason


# --- jti and replay -----------------------------------------------------------------------


def test_missing_jti_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(jti=None)))) is Reason.JTI_MISSING


def test_replayed_jti_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims())
    verifier.verify(bearer(token), AUD)
    assert refused(verifier, bearer(token)) is Reason.JTI_REPLAYED


def test_same_jti_in_a_new_token_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    verifier.verify(bearer(sign(ec_key, claims(jti="nonce-1"))), AUD)
    again = sign(ec_key, claims(jti="nonce-1", iat=int(NOW) + 1))
    assert refused(verifier, bearer(again)) is Reason.JTI_REPLAYED


def test_refused_token_does_not_consume_its_jti(verifier: TokenVerifier, ec_key: ECKey) -> None:
    payload = claims(jti="nonce-2")
    assert refused(verifier, bearer(sign(ec_key, payload)), AUD + "x") is Reason.AUD_MISMATCH
    assert verifier.verify(bearer(sign(ec_key, payload)), AUD).jti == "nonce-2"


# --- tenant -------------------------------------------------------------------------------


@pytest.fixture
def tenant_verifier(ec_key: ECKey, clock: FakeClock) -> TokenVerifier:
    return make_verifier(make_client(ec_key, tenants=frozenset({"tenant-a"})), clock=clock)


def test_allowed_tenant_accepted(tenant_verifier: TokenVerifier, ec_key: ECKey) -> None:
    caller = tenant_verifier.verify(bearer(sign(ec_key, claims(tenant="tenant-a"))), AUD)
    assert caller.tenant == "tenant-a"


def test_tenant_not_allowed_refused(tenant_verifier: TokenVerifier, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(tenant="tenant-b"))
    assert refused(tenant_verifier, bearer(token)) is Reason.TENANT_NOT_ALLOWED


def test_tenant_missing_refused_when_client_lists_tenants(
    tenant_verifier: TokenVerifier, ec_key: ECKey
) -> None:
    assert refused(tenant_verifier, bearer(sign(ec_key, claims()))) is Reason.TENANT_MISSING


def test_tenant_missing_refused_when_required(ec_key: ECKey, clock: FakeClock) -> None:
    verifier = make_verifier(make_client(ec_key), clock=clock, tenant_required=True)
    assert refused(verifier, bearer(sign(ec_key, claims()))) is Reason.TENANT_MISSING
    assert verifier.verify(bearer(sign(ec_key, claims(tenant="any"))), AUD).tenant == "any"


def test_non_string_tenant_refused(verifier: TokenVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, bearer(sign(ec_key, claims(tenant=["a"])))) is Reason.TENANT_INVALID


# --- what the error carries ---------------------------------------------------------------


def test_error_names_the_check_and_never_carries_the_token(
    verifier: TokenVerifier, ec_key: ECKey
) -> None:
    token = sign(ec_key, claims(aud="https://wrong.example/", jti="nonce-9", tenant="t"))
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(bearer(token), AUD)
    error = info.value
    assert str(error) == "aud_mismatch"
    assert (error.iss, error.jti, error.tenant) == (ISS, "nonce-9", "t")
    rendered = repr(error) + str(error.args) + str(vars(error))
    for part in token.split("."):
        assert part not in rendered


# --- key / algorithm pairing and cache failures -------------------------------------------


def test_key_declared_for_another_alg_refused(clock: FakeClock) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "rs256-only", "alg": "RS256"})
    verifier = make_verifier(make_client(key), clock=clock)
    header = {"alg": "RS384", "typ": "JWT", "kid": key.kid}
    forged = f"{unsigned_parts(header, claims())}.c2ln"
    assert refused(verifier, bearer(forged)) is Reason.KEY_ALG_MISMATCH


def test_es256_header_with_p384_key_refused(ec_key: ECKey, clock: FakeClock) -> None:
    verifier = make_verifier(make_client(ec_key), clock=clock, algorithms=("ES256", "ES384"))
    header = {"alg": "ES256", "typ": "JWT", "kid": ec_key.kid}
    forged = f"{unsigned_parts(header, claims())}.c2ln"
    assert refused(verifier, bearer(forged)) is Reason.KEY_ALG_MISMATCH


def test_full_replay_cache_refuses_new_tokens(ec_key: ECKey, clock: FakeClock) -> None:
    cache = InMemoryReplayCache(max_entries=1, clock=clock)
    verifier = make_verifier(make_client(ec_key), clock=clock, replay_cache=cache)
    verifier.verify(bearer(sign(ec_key, claims())), AUD)
    assert refused(verifier, bearer(sign(ec_key, claims()))) is Reason.REPLAY_CACHE_FULL
