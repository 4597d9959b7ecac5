"""The SSRF guard: outbound requests reach only public addresses (unless the operator allows a
network), connect to the address that was checked, follow no redirect and are bounded in time
and size. Every test uses a real HTTP receiver on this machine."""

from __future__ import annotations

import ipaddress
import ssl
import time

import pytest

from ipgov.notify.channels.outbound import OutboundError, OutboundPolicy, _tls, is_public, post
from ipgov.settings import Settings
from tests.core.channel_support import LOCAL, LOCAL_POLICY, answering, receiver

HTTP_ONLY = OutboundPolicy.from_settings(Settings(notify_allow_http=True))


async def test_a_local_receiver_is_refused_without_the_setting_and_reached_with_it():
    with receiver() as hook:
        with pytest.raises(OutboundError) as refused:
            await post(hook.url(), content=b"{}", headers={}, policy=HTTP_ONLY)
        assert refused.value.code == "private_address" and not refused.value.retryable
        assert hook.requests == []
        reply = await post(hook.url(), content=b'{"a": 1}', headers={"X-Test": "yes"},
                           policy=LOCAL_POLICY)
    assert reply.status == 204
    assert [(r.path, r.body, r.headers["x-test"]) for r in hook.requests] == [
        ("/hook", b'{"a": 1}', "yes")]


async def test_plain_http_is_refused_unless_the_operator_allows_it():
    strict = OutboundPolicy.from_settings(Settings(notify_allow_private_networks="all"))
    with receiver() as hook, pytest.raises(OutboundError) as refused:
        await post(hook.url(), content=b"", headers={}, policy=strict)
    assert refused.value.code == "not_https" and hook.requests == []


@pytest.mark.parametrize("host", [
    "localhost", "127.1", "[::1]", "0.0.0.0", "169.254.169.254", "[::ffff:127.0.0.1]",
    "2130706433", "0177.0.0.1", "0x7f.1", "10.0.0.1", "192.168.1.1", "172.16.0.1",
    "100.64.0.1", "224.0.0.1", "255.255.255.255", "[fe80::1]", "[fc00::1]", "[ff02::1]",
    "[::]", "[2002:7f00:1::]", "[::ffff:a9fe:a9fe]",
])
async def test_hosts_that_mean_a_private_address_are_refused(host):
    with receiver() as hook, pytest.raises(OutboundError) as refused:
        await post(f"http://{host}:{hook.port}/hook", content=b"", headers={},
                   policy=HTTP_ONLY)
    assert refused.value.code in ("private_address", "invalid_url"), refused.value.detail
    assert not refused.value.retryable and hook.requests == []


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


def test_an_allowed_network_admits_only_itself():
    policy = OutboundPolicy.from_settings(Settings(notify_allow_private_networks="10.1.0.0/16"))
    assert policy.permits(ipaddress.ip_address("10.1.2.3"))
    assert not policy.permits(ipaddress.ip_address("10.2.0.1"))
    assert not policy.permits(ipaddress.ip_address("127.0.0.1"))
    with pytest.raises(ValueError, match="IPGOV_NOTIFY_ALLOW_PRIVATE_NETWORKS"):
        OutboundPolicy.from_settings(Settings(notify_allow_private_networks="10.1.0.0/33"))


async def test_a_name_is_resolved_once_and_the_host_header_keeps_it():
    with receiver() as hook:
        reply = await post(f"http://localhost:{hook.port}/hook", content=b"", headers={},
                           policy=LOCAL_POLICY)
    assert reply.status == 204
    assert hook.requests[0].headers["host"] == f"localhost:{hook.port}"


async def test_a_redirect_is_answered_not_followed():
    with receiver() as elsewhere, receiver(
            answering(302, headers={"Location": elsewhere.url("/stolen")})) as hook:
        reply = await post(hook.url(), content=b"{}", headers={}, policy=LOCAL_POLICY)
    assert reply.status == 302
    assert len(hook.requests) == 1 and elsewhere.requests == []


async def test_a_receiver_that_never_answers_times_out_within_the_bound():
    policy = OutboundPolicy.from_settings(
        Settings(**{**LOCAL.__dict__, "notify_total_timeout_seconds": 1.0,
                    "notify_read_timeout_seconds": 30.0}))
    with receiver(hang=True) as hook:
        started = time.monotonic()
        with pytest.raises(OutboundError) as failed:
            await post(hook.url(), content=b"{}", headers={}, policy=policy)
        elapsed = time.monotonic() - started
    assert failed.value.code == "timeout" and failed.value.retryable
    assert 0.9 <= elapsed < 3.0 and len(hook.requests) == 1


async def test_an_enormous_answer_is_read_only_up_to_the_bound():
    with receiver(answering(200, b"x" * 1_000_000)) as hook:
        reply = await post(hook.url(), content=b"", headers={}, policy=LOCAL_POLICY)
    assert reply.status == 200 and len(reply.body) == LOCAL_POLICY.max_response_bytes


async def test_a_receiver_that_is_down_is_a_retryable_failure():
    with receiver() as hook:
        url = hook.url()
    with pytest.raises(OutboundError) as failed:
        await post(url, content=b"", headers={}, policy=LOCAL_POLICY)
    assert failed.value.code == "connection" and failed.value.retryable


def _certificates(tmp_path):
    """A test CA (written to a file) and a server certificate for the name ``localhost`` only."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(cert.public_bytes(pem) + key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "server.pem")
    return tmp_path / "ca.pem", server


async def test_tls_goes_to_the_pinned_address_and_checks_the_certificate_of_the_name(
        tmp_path, monkeypatch):
    ca_file, server = _certificates(tmp_path)
    names: list[str | None] = []
    server.sni_callback = lambda _sock, name, _ctx: names.append(name)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the client trusts the test CA
    _tls.cache_clear()
    strict = OutboundPolicy.from_settings(Settings(notify_allow_private_networks="127.0.0.0/8"))
    try:
        with receiver(tls=server) as hook:
            reply = await post(hook.url(host="localhost"), content=b"{}", headers={},
                               policy=strict)
            with pytest.raises(OutboundError) as by_address:  # the certificate names localhost
                await post(hook.url(host="127.0.0.1"), content=b"{}", headers={}, policy=strict)
    finally:
        _tls.cache_clear()
    assert reply.status == 204 and names[0] == "localhost"
    assert hook.requests[0].headers["host"] == f"localhost:{hook.port}"
    assert by_address.value.code == "connection" and len(hook.requests) == 1
