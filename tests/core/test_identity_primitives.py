"""Behavioural tests for the identity primitives: passwords, JWTs (local + OIDC), API keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from ipgov.identity.apikeys import (
    generate_api_key,
    hash_api_key_secret,
    parse_api_key,
    redact,
    verify_api_key_secret,
)
from ipgov.identity.passwords import (
    hash_password,
    needs_rehash,
    validate_password_policy,
    verify_password,
    verify_password_or_dummy,
)
from ipgov.identity.tokens import (
    AuthenticationError,
    CompositeVerifier,
    SigningKey,
    TokenIssuer,
    TokenVerifier,
    jwk_thumbprint,
    load_or_create_signing_key,
)

ISSUER = "https://ipgov.example"
AUDIENCE = "ipgov-api"
IDP_ISSUER = "https://idp.example"


def b64url(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_json(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")))


def valid_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "jti-1",
    }
    claims.update(overrides)
    return claims


def expect_error(verifier: Any, token: str, code: str) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(token)
    assert info.value.code == code, info.value
    assert token not in str(info.value) and token not in info.value.message
    assert token not in repr(info.value)
    return info.value


# ------------------------------------------------------------------------------ local tokens


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def issuer(key: SigningKey) -> TokenIssuer:
    return TokenIssuer(key, ISSUER, AUDIENCE, ttl_seconds=600)


@pytest.fixture
def verifier(issuer: TokenIssuer) -> TokenVerifier:
    return issuer.local_verifier()


def test_round_trip_issue_and_verify(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    issued = issuer.issue("user-42", tenant_id="tenant-7", extra={"roles": ["admin"]})
    header = jwt.get_unverified_header(issued.token)
    assert header["alg"] == "EdDSA" and header["kid"] == issuer.key.kid

    claims = verifier.verify(issued.token)

    assert claims.subject == "user-42"
    assert claims.issuer == ISSUER
    assert claims.tenant_id == "tenant-7"
    assert claims.jti == issued.jti
    assert claims.expires_at == issued.expires_at
    assert claims.raw["roles"] == ["admin"]
    assert {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "tid"} <= claims.raw.keys()
    assert claims.raw["exp"] - claims.raw["iat"] == 600
    assert issued.token not in repr(issued)


def test_tenant_is_optional(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    claims = verifier.verify(issuer.issue("svc", ttl_seconds=5).token)
    assert claims.tenant_id is None and "tid" not in claims.raw


def test_extra_claims_cannot_override_registered_claims(issuer: TokenIssuer) -> None:
    with pytest.raises(ValueError, match="iss"):
        issuer.issue("user", extra={"iss": "https://evil.example"})


def test_jwks_publishes_public_key_only(issuer: TokenIssuer, key: SigningKey) -> None:
    jwks = issuer.jwks()
    (jwk,) = jwks["keys"]
    assert jwk["kid"] == key.kid and jwk["alg"] == "EdDSA" and jwk["use"] == "sig"
    assert "d" not in jwk
    # A third party can verify our tokens from the published JWKS alone.
    public = jwt.PyJWK(jwk)
    token = issuer.issue("user").token
    assert jwt.decode(token, public, algorithms=["EdDSA"], audience=AUDIENCE)["sub"] == "user"


def test_expired_token_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    old = TokenIssuer(key, ISSUER, AUDIENCE, 60, clock=lambda: time.time() - 3600)
    expect_error(verifier, old.issue("user").token, "TOKEN_EXPIRED")


def test_leeway_applies_and_is_configurable(key: SigningKey, issuer: TokenIssuer) -> None:
    just_expired = TokenIssuer(key, ISSUER, AUDIENCE, 60, clock=lambda: time.time() - 70)
    token = just_expired.issue("user").token
    assert issuer.local_verifier().verify(token).subject == "user"  # 10 s late, 30 s leeway
    expect_error(issuer.local_verifier(leeway_seconds=0), token, "TOKEN_EXPIRED")


def test_not_yet_valid_token_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    future = TokenIssuer(key, ISSUER, AUDIENCE, 600, clock=lambda: time.time() + 3600)
    expect_error(verifier, future.issue("user").token, "TOKEN_NOT_YET_VALID")


def test_wrong_issuer_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    other = TokenIssuer(key, "https://other.example", AUDIENCE, 60)
    expect_error(verifier, other.issue("user").token, "TOKEN_WRONG_ISSUER")


def test_wrong_audience_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    other = TokenIssuer(key, ISSUER, "some-other-api", 60)
    expect_error(verifier, other.issue("user").token, "TOKEN_WRONG_AUDIENCE")


def test_tampered_payload_refused(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    header, payload, signature = issuer.issue("user").token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "admin"
    forged = f"{header}.{b64url_json(claims)}.{signature}"
    expect_error(verifier, forged, "TOKEN_INVALID_SIGNATURE")


def test_tampered_signature_refused(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    header, payload, signature = issuer.issue("user").token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    expect_error(verifier, f"{header}.{payload}.{flipped}", "TOKEN_INVALID_SIGNATURE")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_refused(verifier: TokenVerifier, key: SigningKey, alg: str) -> None:
    header = b64url_json({"alg": alg, "typ": "JWT", "kid": key.kid})
    token = f"{header}.{b64url_json(valid_claims())}."
    expect_error(verifier, token, "TOKEN_ALGORITHM_REFUSED")


def test_missing_alg_refused(verifier: TokenVerifier) -> None:
    token = f"{b64url_json({'typ': 'JWT'})}.{b64url_json(valid_claims())}.c2ln"
    expect_error(verifier, token, "TOKEN_ALGORITHM_REFUSED")


def _hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


@pytest.mark.parametrize("encoding", ["pem", "raw"])
def test_hs256_signed_with_public_key_refused(
    verifier: TokenVerifier, key: SigningKey, encoding: str
) -> None:
    public: Ed25519PublicKey = key.public_key
    secret = (
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if encoding == "pem"
        else public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    token = _hs256({"alg": "HS256", "typ": "JWT", "kid": key.kid}, valid_claims(), secret)
    expect_error(verifier, token, "TOKEN_ALGORITHM_REFUSED")


def test_token_from_another_key_refused(verifier: TokenVerifier, key: SigningKey) -> None:
    stranger = SigningKey.generate()
    foreign = TokenIssuer(stranger, ISSUER, AUDIENCE, 60).issue("user").token
    expect_error(verifier, foreign, "TOKEN_UNKNOWN_KEY")
    # Same attack while claiming our kid: the signature check catches it.
    spoofed = jwt.encode(
        valid_claims(), stranger.private_key, algorithm="EdDSA", headers={"kid": key.kid}
    )
    expect_error(verifier, spoofed, "TOKEN_INVALID_SIGNATURE")


def test_revoked_jti_refused(issuer: TokenIssuer) -> None:
    revoked: set[str] = set()
    verifier = issuer.local_verifier(is_revoked=revoked.__contains__)
    issued = issuer.issue("user")
    assert verifier.verify(issued.token).jti == issued.jti
    revoked.add(issued.jti)
    expect_error(verifier, issued.token, "TOKEN_REVOKED")
    assert verifier.verify(issuer.issue("user").token).subject == "user"  # others unaffected


def test_a_revoked_session_refuses_every_token_of_it(issuer: TokenIssuer) -> None:
    revoked: set[str] = set()
    verifier = issuer.local_verifier(is_revoked=revoked.__contains__)
    first = issuer.issue("user", session_id="session-1", generation=3)
    second = issuer.issue("user", session_id="session-1", generation=3)
    claims = verifier.verify(first.token)
    assert (claims.session_id, claims.generation) == ("session-1", 3)
    revoked.add("session-1")
    for issued in (first, second):
        expect_error(verifier, issued.token, "TOKEN_REVOKED")
    assert verifier.verify(issuer.issue("user", session_id="session-2").token).generation == 0
    with pytest.raises(ValueError, match="gen, sid"):
        issuer.issue("user", extra={"sid": "forged", "gen": 0})


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "iss", "aud", "jti"])
def test_missing_required_claim_refused(
    verifier: TokenVerifier, key: SigningKey, missing: str
) -> None:
    claims = valid_claims()
    del claims[missing]
    token = jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    expect_error(verifier, token, "TOKEN_MALFORMED")


def test_oversized_token_refused(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    big = issuer.issue("user", extra={"blob": "x" * 9000}).token
    assert len(big) > 8 * 1024
    error = expect_error(verifier, big, "TOKEN_MALFORMED")
    assert "maximum size" in error.message


@pytest.mark.parametrize("garbage", ["", "abc", "a.b", "a.b.c", "....", "eyJ.eyJ.x"])
def test_garbage_refused_as_malformed(verifier: TokenVerifier, garbage: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(garbage)
    assert info.value.code == "TOKEN_MALFORMED"


def test_verifier_refuses_insecure_algorithm_configuration() -> None:
    with pytest.raises(ValueError):
        TokenVerifier(
            issuer=IDP_ISSUER, audience=AUDIENCE, jwks_url="http://x", algorithms=["HS256"]
        )
    with pytest.raises(ValueError):
        TokenVerifier(
            issuer=IDP_ISSUER, audience=AUDIENCE, jwks_url="http://x", algorithms=["none"]
        )


# ------------------------------------------------------------------------------ signing key file


def test_key_file_created_once_and_reused(tmp_path: Path) -> None:
    first = load_or_create_signing_key(tmp_path)
    path = tmp_path / "keys" / "jwt-ed25519.pem"
    assert first.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    pem_before = path.read_bytes()

    second = load_or_create_signing_key(tmp_path)

    assert second.kid == first.kid
    assert path.read_bytes() == pem_before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temp files left behind
    # A token signed after the "first start" verifies after the "restart".
    token = TokenIssuer(first, ISSUER, AUDIENCE, 60).issue("user").token
    restarted = TokenIssuer(second, ISSUER, AUDIENCE, 60).local_verifier()
    assert restarted.verify(token).subject == "user"


def test_kid_is_rfc7638_thumbprint() -> None:
    # RFC 8037, appendix A.2/A.3: known Ed25519 public key and its JWK thumbprint.
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    raw = base64.urlsafe_b64decode(x + "=")
    public = Ed25519PublicKey.from_public_bytes(raw)
    assert jwk_thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# ------------------------------------------------------------------------------ OIDC via JWKS


@dataclass
class Idp:
    url: str
    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    requests: list[str]
    server: ThreadingHTTPServer

    def sign(self, claims: dict[str, Any], *, alg: str = "RS256", kid: str = "rsa-1") -> str:
        private = self.rsa_key if alg.startswith("RS") else self.ec_key
        return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})

    def verifier(self, **options: Any) -> TokenVerifier:
        return TokenVerifier(issuer=IDP_ISSUER, audience=AUDIENCE, jwks_url=self.url, **options)


def idp_claims(**overrides: Any) -> dict[str, Any]:
    return valid_claims(**({"iss": IDP_ISSUER} | overrides))


def _serve(body: bytes, requests: list[str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            requests.append(self.path)
            if self.path != "/jwks.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def idp() -> Iterator[Idp]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True) | {
        "kid": "rsa-1",
        "use": "sig",
        "alg": "RS256",
    }
    ec_jwk = ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True) | {"kid": "ec-1", "use": "sig"}
    requests: list[str] = []
    server = _serve(json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode(), requests)
    host, port = server.server_address[:2]
    try:
        yield Idp(f"http://{host}:{port}/jwks.json", rsa_key, ec_key, requests, server)
    finally:
        server.shutdown()
        server.server_close()


def test_oidc_rs256_token_verified_via_jwks(idp: Idp) -> None:
    verifier = idp.verifier()
    token = idp.sign(idp_claims(sub="alice@corp", tid="tenant-9"))
    claims = verifier.verify(token)
    assert (claims.subject, claims.issuer, claims.tenant_id) == (
        "alice@corp",
        IDP_ISSUER,
        "tenant-9",
    )
    assert idp.requests == ["/jwks.json"]


def test_oidc_es256_token_verified_and_jwks_cached(idp: Idp) -> None:
    verifier = idp.verifier()
    for _ in range(3):
        assert verifier.verify(idp.sign(idp_claims(), alg="ES256", kid="ec-1")).subject
    assert idp.requests == ["/jwks.json"]  # fetched once, then served from cache


def test_oidc_cached_keys_survive_provider_outage(idp: Idp) -> None:
    verifier = idp.verifier()
    token = idp.sign(idp_claims())
    verifier.verify(token)
    idp.server.shutdown()
    idp.server.server_close()
    assert verifier.verify(token).subject == "user-1"


def test_oidc_unknown_kid_refused(idp: Idp) -> None:
    token = idp.sign(idp_claims(), kid="rotated-away")
    expect_error(idp.verifier(), token, "TOKEN_UNKNOWN_KEY")


def test_oidc_missing_kid_refused(idp: Idp) -> None:
    token = jwt.encode(idp_claims(), idp.rsa_key, algorithm="RS256")
    expect_error(idp.verifier(), token, "TOKEN_UNKNOWN_KEY")


def test_oidc_jwks_down_reported(idp: Idp) -> None:
    url = idp.url
    idp.server.shutdown()
    idp.server.server_close()
    verifier = TokenVerifier(
        issuer=IDP_ISSUER, audience=AUDIENCE, jwks_url=url, jwks_timeout_seconds=2
    )
    token = idp.sign(idp_claims())
    error = expect_error(verifier, token, "JWKS_UNAVAILABLE")
    assert "127.0.0.1" not in error.message


def test_oidc_jwks_not_json_reported() -> None:
    requests: list[str] = []
    server = _serve(b"<html>not json</html>", requests)
    host, port = server.server_address[:2]
    try:
        verifier = TokenVerifier(
            issuer=IDP_ISSUER, audience=AUDIENCE, jwks_url=f"http://{host}:{port}/jwks.json"
        )
        token = jwt.encode(idp_claims(), "x" * 32, algorithm="HS256")
        expect_error(verifier, token, "TOKEN_ALGORITHM_REFUSED")  # refused before any fetch
        assert requests == []
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(idp_claims(), rsa_key, algorithm="RS256", headers={"kid": "k"})
        expect_error(verifier, token, "JWKS_UNAVAILABLE")
    finally:
        server.shutdown()
        server.server_close()


def test_oidc_hs256_with_rsa_public_key_refused(idp: Idp) -> None:
    pem = idp.rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = _hs256({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, idp_claims(), pem)
    expect_error(idp.verifier(), token, "TOKEN_ALGORITHM_REFUSED")


def test_oidc_algorithm_allow_list_is_configurable(idp: Idp) -> None:
    token = idp.sign(idp_claims(), alg="ES256", kid="ec-1")
    expect_error(idp.verifier(algorithms=["RS256"]), token, "TOKEN_ALGORITHM_REFUSED")


def test_oidc_alg_not_matching_key_type_refused(idp: Idp) -> None:
    # Signed with the EC key but naming the RSA key id: the key's own algorithm wins.
    token = idp.sign(idp_claims(), alg="ES256", kid="rsa-1")
    expect_error(idp.verifier(), token, "TOKEN_ALGORITHM_REFUSED")


def test_oidc_wrong_issuer_and_audience(idp: Idp) -> None:
    verifier = idp.verifier()
    expect_error(verifier, idp.sign(idp_claims(iss="https://evil")), "TOKEN_WRONG_ISSUER")
    expect_error(verifier, idp.sign(idp_claims(aud="other")), "TOKEN_WRONG_AUDIENCE")


# ------------------------------------------------------------------------------ composite


def test_composite_routes_by_issuer(issuer: TokenIssuer, idp: Idp) -> None:
    composite = CompositeVerifier(issuer.local_verifier(), idp.verifier())
    assert composite.verify(issuer.issue("local-user").token).issuer == ISSUER
    assert composite.verify(idp.sign(idp_claims(sub="sso-user"))).subject == "sso-user"


def test_composite_never_falls_back_for_local_issuer(issuer: TokenIssuer, idp: Idp) -> None:
    composite = CompositeVerifier(issuer.local_verifier(), idp.verifier())
    # Claims our issuer but is signed by the IdP key: must not be accepted via OIDC.
    forged = idp.sign(idp_claims(iss=ISSUER))
    expect_error(composite, forged, "TOKEN_ALGORITHM_REFUSED")
    assert idp.requests == []


def test_composite_without_oidc_refuses_foreign_issuer(issuer: TokenIssuer, idp: Idp) -> None:
    composite = CompositeVerifier(issuer.local_verifier())
    expect_error(composite, idp.sign(idp_claims()), "TOKEN_WRONG_ISSUER")
    expect_error(composite, "not-a-token", "TOKEN_MALFORMED")


# ------------------------------------------------------------------------------ passwords


def test_password_hash_and_verify() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapl")
    assert hash_password("correct horse battery staple") != stored  # salted


@pytest.mark.parametrize(
    ("stored", "password"),
    [("not-a-hash", "whatever123"), ("", "whatever123"), (None, "x"), ("$argon2id$", None)],
)
def test_verify_password_never_raises(stored: Any, password: Any) -> None:
    assert verify_password(stored, password) is False


def test_password_unicode_normalised() -> None:
    stored = hash_password("ｐａｓｓｗｏｒｄ１２３")  # fullwidth forms
    assert verify_password(stored, "password123")


def test_verify_password_or_dummy() -> None:
    stored = hash_password("a fine password")
    assert verify_password_or_dummy(stored, "a fine password")
    assert not verify_password_or_dummy(None, "a fine password")


def test_the_dummy_hash_costs_what_a_real_one_does() -> None:
    """The constant dummy hash (no hashing at import) has the hasher's parameters, so an
    unknown account's sign-in takes as long as a wrong password."""
    from argon2 import extract_parameters

    from ipgov.identity.passwords import _DUMMY_HASH

    assert extract_parameters(_DUMMY_HASH) == extract_parameters(
        hash_password("a fine password"))
    assert not needs_rehash(_DUMMY_HASH)


def test_needs_rehash() -> None:
    assert not needs_rehash(hash_password("a fine password"))
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("a fine password")
    assert verify_password(weak, "a fine password")  # old hashes still verify...
    assert needs_rehash(weak)  # ...but are flagged for upgrade
    assert needs_rehash("garbage")


def test_password_policy() -> None:
    validate_password_policy("x" * 10)
    validate_password_policy("x" * 1024)
    with pytest.raises(ValueError, match="at least 10 characters"):
        validate_password_policy("short")
    with pytest.raises(ValueError, match="at most 1024 characters"):
        validate_password_policy("x" * 1025)
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("123456789")


# ------------------------------------------------------------------------------ API keys


def test_api_key_generate_parse_verify() -> None:
    new = generate_api_key()
    key_id, secret = parse_api_key(new.plaintext)
    assert new.plaintext == f"ipgov_{key_id}_{secret}"
    assert key_id == new.key_id and len(key_id) == 12 and int(key_id, 16) >= 0
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert new.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert new.secret_hash == hash_api_key_secret(secret)
    assert verify_api_key_secret(secret, new.secret_hash)
    assert not verify_api_key_secret(
        secret[:-1] + ("A" if secret[-1] != "A" else "B"), new.secret_hash
    )
    assert not verify_api_key_secret(secret, "0" * 64)
    assert not verify_api_key_secret(None, new.secret_hash)  # type: ignore[arg-type]
    assert new.plaintext not in repr(new) and secret not in repr(new)
    assert generate_api_key().plaintext != new.plaintext


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ipgov_",
        "ipgov_abc_def",
        "ipgov_ABCDEF012345_" + "a" * 43,  # key id must be lowercase hex
        "ipgov_abcdef01234_" + "a" * 43,  # 11-char key id
        "ipgov_abcdef012345_" + "a" * 42,  # short secret
        "ipgov_abcdef012345_" + "a" * 44,  # long secret
        "ipgov_abcdef012345_" + "a" * 42 + "!",
        "xpgov_abcdef012345_" + "a" * 43,
        "Bearer ipgov_abcdef012345_" + "a" * 43,
        "ipgov_abcdef012345_" + "a" * 4000,
        None,
    ],
)
def test_malformed_api_keys(text: Any) -> None:
    with pytest.raises(AuthenticationError) as info:
        parse_api_key(text)
    assert info.value.code == "API_KEY_MALFORMED"
    if text:
        assert text not in str(info.value)


def test_redact() -> None:
    api_key = generate_api_key().plaintext
    token = TokenIssuer(SigningKey.generate(), ISSUER, AUDIENCE, 60).issue("user").token
    line = f"GET /x Authorization: Bearer {token} key={api_key} raw={token} bearer abc.def+/=="
    cleaned = redact(line)
    assert token not in cleaned and api_key not in cleaned
    assert "Authorization: Bearer [REDACTED]" in cleaned
    assert "key=[REDACTED]" in cleaned and "raw=[REDACTED]" in cleaned
    assert "bearer [REDACTED]" in cleaned
    assert redact("user alice logged in from 10.0.0.1") == "user alice logged in from 10.0.0.1"
