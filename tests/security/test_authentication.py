"""Authentication over real HTTP: bad, forged, expired and revoked tokens and API keys are
refused with 401 before any data is read, and no secret ever reaches a log line or an error.

The verifier's unit tests are in ``tests/core/test_identity_primitives.py``; here every case
goes through the app (rate-limit middleware, context getter, error shaping).
"""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import update

from ipgov.identity.tokens import SigningKey, TokenIssuer
from tests.conftest import make_group
from tests.security.conftest import codes

PASSWORD = "correct horse battery staple"
ME = "{ me { id } }"
CREATE_SA = """mutation($t: ID!) { createServiceAccount(tenantId: $t, name: "ci", role: "viewer") {
  apiKey errors { code } } }"""


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _tampered(token: str, **claims) -> str:
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return ".".join([header, _b64({**body, **claims}), signature])


def bad_tokens(platform, user_id: str, victim_id: str) -> dict[str, str]:
    """Every kind of token the API must refuse, for ``user_id``."""
    own = platform.tokens.issuer
    now = time.time()
    claims = {"iss": own.issuer, "aud": own.audience, "sub": user_id, "iat": int(now),
              "nbf": int(now), "exp": int(now) + 600, "jti": "x" * 22}
    public_pem = own.key.public_key.public_bytes(
        encoding=__import__("cryptography.hazmat.primitives.serialization", fromlist=["x"])
        .Encoding.PEM,
        format=__import__("cryptography.hazmat.primitives.serialization", fromlist=["x"])
        .PublicFormat.SubjectPublicKeyInfo)
    valid = own.issue(user_id).token
    return {
        "expired": TokenIssuer(own.key, own.issuer, own.audience, 60,
                               clock=lambda: now - 7200).issue(user_id).token,
        "not_yet_valid": TokenIssuer(own.key, own.issuer, own.audience, 60,
                                     clock=lambda: now + 7200).issue(user_id).token,
        "wrong_issuer": TokenIssuer(own.key, "https://evil.example", own.audience,
                                    600).issue(user_id).token,
        "wrong_audience": TokenIssuer(own.key, own.issuer, "another-api", 600)
        .issue(user_id).token,
        "alg_none": jwt.encode(claims, None, algorithm="none"),
        "alg_none_with_kid": jwt.encode(claims, None, algorithm="none",
                                        headers={"kid": own.key.kid}),
        "hs256_with_public_key": _hs256(claims, public_pem, own.key.kid),
        "other_key": TokenIssuer(SigningKey.generate(), own.issuer, own.audience, 600)
        .issue(user_id).token,
        "tampered_subject": _tampered(valid, sub=victim_id),
        "tampered_expiry": _tampered(valid, exp=int(now) + 10 ** 8),
        "tampered_signature": valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB"),
        "truncated": valid.rsplit(".", 1)[0],
        "garbage": "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
    }


def _hs256(claims: dict, secret: bytes, kid: str) -> str:
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": kid})
    payload = _b64(claims)
    import hashlib
    import hmac

    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


async def test_every_bad_token_is_refused(platform, app_client, acme, sql):
    user, victim = acme.users["a-viewer"], acme.users["admin"]
    tokens = bad_tokens(platform, user, victim)
    for name, token in tokens.items():
        sql.reset()
        response = await app_client.post(ME, token=token)
        assert response.status_code == 401, (name, response.text)
        assert user not in response.text and victim not in response.text, name
        assert sql.count == 0, (name, sql.statements)  # refused before the user lookup
    valid = await app_client(ME, token=acme.token("a-viewer"))
    assert valid["data"]["me"]["id"] == user


async def test_revoked_token_is_refused(platform, app_client, acme):
    from ipgov.identity.service import load_revocations, revoke_token

    issued = platform.tokens.issuer.issue(acme.users["a-admin"])
    assert (await app_client.post(ME, token=issued.token)).status_code == 200
    await revoke_token(platform, issued.jti, issued.expires_at)
    response = await app_client.post(ME, token=issued.token)
    assert response.status_code == 401 and "revoked" in response.text.lower()
    platform.tokens.revoked.clear()  # a restarted API reloads revocations from the database
    await load_revocations(platform)
    assert (await app_client.post(ME, token=issued.token)).status_code == 401


async def test_api_keys_unknown_wrong_or_revoked_are_refused(platform, app_client, acme):
    from ipgov.identity.models import ApiKey

    created = await app_client(CREATE_SA, {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    key = created["data"]["createServiceAccount"]["apiKey"]
    assert key and key.startswith("ipgov_")
    tenant = "query($t: ID!) { tenant(id: $t) { id } }"
    ok = await app_client(tenant, {"t": acme.ids["acme-a"]}, token=key)
    assert ok["data"]["tenant"]["id"] == acme.ids["acme-a"]
    prefix, key_id, secret = key.split("_", 2)
    for name, bad in {"wrong_secret": f"{prefix}_{key_id}_{'A' * len(secret)}",
                      "unknown_id": f"{prefix}_{'0' * 12}_{secret}",
                      "malformed": f"{prefix}_{key_id}",
                      "other_tenant_id": f"{prefix}_{key_id[::-1]}_{secret}"}.items():
        response = await app_client.post(ME, token=bad)
        assert response.status_code == 401, name
        assert secret not in response.text
    async with platform.db.system_session("t: revoke key") as s:
        await s.execute(update(ApiKey).where(ApiKey.id == key_id).values(
            revoked_at=__import__("ipgov.db.base", fromlist=["utcnow"]).utcnow()
            - timedelta(seconds=1)))
    response = await app_client.post(tenant, {"t": acme.ids["acme-a"]}, token=key)
    assert response.status_code == 401 and "API_KEY_INVALID" in response.text


async def test_no_secret_reaches_logs_or_errors(platform, app_client, acme, caplog):
    from ipgov.identity.service import create_user

    async with platform.db.system_session("t: user") as s:
        await create_user(s, email="pat@acme.example", display_name="Pat", password=PASSWORD)
    login = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
        token errors { code message } } }"""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    wrong = "Wrong-Passw0rd-hunter2"
    for password in (wrong, PASSWORD):
        response = await app_client.post(login, {"e": "pat@acme.example", "p": password})
        texts.append(response.text)
    token = json.loads(texts[-1])["data"]["login"]["token"]
    assert token
    created = await app_client.post(CREATE_SA, {"t": acme.ids["acme-a"]},
                                    token=acme.token("a-admin"))
    api_key = created.json()["data"]["createServiceAccount"]["apiKey"]
    texts.append((await app_client.post(ME, token=api_key)).text)
    texts.append((await app_client.post(ME, token=api_key[:-3] + "xyz")).text)
    texts.append((await app_client.post(ME, token=token[:-4] + "AAAA")).text)
    texts.append((await app_client.post(ME, token=token)).text)

    key_pem = platform.tokens.issuer.key.path.read_text() if getattr(
        platform.tokens.issuer.key, "path", None) else ""
    secrets = {"password": PASSWORD, "wrong password": wrong, "token": token,
               "token signature": token.rsplit(".", 1)[1], "api key": api_key,
               # ipgov_<hex id>_<secret>: the secret is URL-safe base64 and may itself hold
               # "_" (its last piece alone can be one letter, found in any log line)
               "api key secret": api_key.split("_", 2)[2],
               "audit key": platform.audit_key.secret.hex()}
    if key_pem:
        secrets["jwt private key"] = key_pem.strip().splitlines()[1]
    logged = caplog.text + "".join(repr(r.args) + str(r.exc_info) for r in caplog.records)
    assert caplog.records, "nothing was logged: the capture does not work"
    for name, secret in secrets.items():
        assert secret not in logged, f"{name} appears in the logs"
    responses = "".join(texts[:1] + texts[2:])  # texts[1] carries the token, legitimately
    for name in ("password", "wrong password", "audit key", "jwt private key"):
        if name in secrets:
            assert secrets[name] not in responses, f"{name} appears in a response"


async def test_a_mistyped_password_variable_is_not_echoed(app_client, caplog):
    login = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }"""
    caplog.set_level(logging.DEBUG)
    response = await app_client.post(login, {"e": "pat@acme.example",
                                             "p": ["not", "a", "string", PASSWORD]})
    assert codes(response.json()) == ["BAD_USER_INPUT"]
    assert PASSWORD not in caplog.text
    assert PASSWORD not in response.text


def _signed(platform, **claims) -> str:
    """A token signed with the platform's own key, with any claims (validly signed nonsense)."""
    own = platform.tokens.issuer
    now = int(time.time())
    body = {"iss": own.issuer, "aud": own.audience, "iat": now, "nbf": now, "exp": now + 600,
            "jti": "j" * 22, **claims}
    return jwt.encode(body, own.key.private_key, algorithm="EdDSA",
                      headers={"kid": own.key.kid})


async def test_validly_signed_absurd_claims_are_401_never_500(platform, app_client, acme):
    """Before: ``exp = 10**12`` passed PyJWT and overflowed building the claims (HTTP 500)."""
    user = acme.users["a-viewer"]
    cases = {
        "exp 10^12": {"exp": 10 ** 12}, "exp 10^400": {"exp": 10 ** 400},
        "exp float 1e300": {"exp": 1e300}, "exp true": {"exp": True},
        "nbf 10^12 in the past sense": {"nbf": -(10 ** 12)}, "iat negative": {"iat": -5},
        "sid number": {"sid": 5}, "sid empty": {"sid": ""}, "gen text": {"gen": "1"},
        "gen 2^64": {"gen": 2 ** 64}, "gen negative": {"gen": -1}, "gen true": {"gen": True},
        "tid list": {"tid": ["x"]}, "jti object": {"jti": {"a": 1}},
        "jti long": {"jti": "x" * 300},
    }
    for name, claims in cases.items():
        response = await app_client.post(ME, token=_signed(platform, sub=user, **claims))
        assert response.status_code == 401, (name, response.status_code, response.text)
        assert codes(response.json()) == ["UNAUTHENTICATED"], name
    ok = await app_client.post(ME, token=_signed(platform, sub=user))
    assert ok.status_code == 200 and ok.json()["data"]["me"]["id"] == user
