"""Benchmark of the SAML service provider's own work, each beside a baseline in the same run.

* verify: ``ServiceProvider.verify_response`` of a real signed Response from pysaml2's IdP (the
  ACS's XML signature check through xmlsec1, conditions, audience, InResponseTo), beside
  parsing the same Response with defusedxml alone;
* request: building and signing an AuthnRequest for HTTP-Redirect (the login route's work);
* keypair: making a service provider's RSA 3072 keypair (registering, rotating), beside 2048.

No database: the replay cache and mapping are ordinary indexed writes. Run from the repository
root: ``python bench/saml.py [--reps 50]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _common import Result, emit, percentile, progress

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]


def _timed(reps: int, fn: Any) -> list[float]:
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _provider(idp_metadata: str, cert: str) -> Any:
    return SimpleNamespace(id="bench-provider", issuer="https://idp.acme.example/saml",
                           saml_idp_metadata=idp_metadata, saml_sp_cert=cert,
                           saml_require_encryption=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=50)
    reps = parser.parse_args().reps
    import base64

    from cryptography.hazmat.primitives.asymmetric import rsa
    from defusedxml.ElementTree import fromstring

    from ipgov.identity.sso import saml
    from tests.e2e.saml_support import SamlIdentityProvider

    folder = Path(tempfile.mkdtemp(prefix="bench-saml-"))
    idp = SamlIdentityProvider.generated(folder)
    sp_key, sp_cert = saml.new_keypair("bench SP")
    provider = _provider(idp.metadata(), sp_cert)
    person = {"mail": ["ada@acme.example"], "groups": ["ip-managers"]}
    with saml.service_provider(provider, sp_key, base="https://ipgov.example", skew=60) as sp:
        idp.trust(sp.metadata())
        progress("requests")
        request_ms = _timed(reps, lambda: sp.authn_request("relay"))
        pairs = []
        for _ in range(reps + 1):
            request_id, url = sp.authn_request("relay")
            pairs.append((request_id, idp.response(idp.read_request(url), person)))
        progress("verify")
        queue = iter(pairs)
        verify_ms = _timed(reps, lambda: sp.verify_response(*reversed(next(queue))))
        parse_ms = _timed(reps, lambda: fromstring(base64.b64decode(pairs[0][1])))
    progress("keypairs")
    key_3072 = _timed(max(3, reps // 10), lambda: saml.new_keypair("bench"))
    key_2048 = _timed(max(3, reps // 10), lambda: rsa.generate_private_key(65537, 2048))
    size = f"{reps} reps"
    emit([
        Result("saml", size, "verify_response p50", percentile(verify_ms, 50), "ms",
               percentile(parse_ms, 50), "defusedxml parse only"),
        Result("saml", size, "verify_response p95", percentile(verify_ms, 95), "ms"),
        Result("saml", size, "signed AuthnRequest p50", percentile(request_ms, 50), "ms"),
        Result("saml", size, "SP keypair RSA 3072 p50", percentile(key_3072, 50), "ms",
               percentile(key_2048, 50), "RSA 2048 key only"),
    ])


if __name__ == "__main__":
    main()
