"""GraphQL fuzzing against a real ``ipgov serve`` process (OWASP GraphQL Cheat Sheet).

Schemathesis (GraphQL mode) reads the schema the running server serves (so plugin fields are
fuzzed as they appear) and generates valid operations, sent as a group admin of ``acme``;
hypothesis-graphql's negative mode generates invalid ones; the hostile run (issue 22 item 16)
sends malformed bodies (random bytes, invalid UTF-8, ``null``/numbers/strings, nesting 10,000
deep, integers of thousands of digits, batches of non-objects), operations whose string
literals hold NUL characters and unpaired surrogates, and hostile variables (forged cursors,
CSV with bare carriage returns, NUL and surrogates in String, ID and JSON). Checks on every
response: no 5xx, no unmasked internal error (``INTERNAL`` carries only a request id, no
exception text), and no id or name of another group (``globex``) anywhere in the body. The run
is bounded by a number of examples; the soak variant runs many more.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import make_group
from tests.security.probes import World, load_rows

DEFAULT_EXAMPLES = 100
SLOW_EXAMPLES = 3000
HOSTILE_SLOW_EXAMPLES = 5000
LEAK_MARKERS = ("Traceback", "File \"", "sqlalchemy", "asyncpg", "sqlite3", "Error:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ipgov serve`` on the test's database and data directory (same signing key)."""

    def __init__(self, platform) -> None:
        s = platform.settings
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "IPGOV_DATA_DIR": str(s.data_dir),
                    "IPGOV_DATABASE_URL": s.database_url,
                    "IPGOV_APP_DATABASE_URL": s.app_database_url,
                    "IPGOV_RATE_LIMIT_USER": "", "IPGOV_RATE_LIMIT_ANONYMOUS": "",
                    "IPGOV_RATE_LIMIT_TENANT": "", "IPGOV_LOG_LEVEL": "WARNING"}
        self.log = Path(s.data_dir) / "server.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ipgov.cli.main", "serve", "--no-migrate", "--port",
             str(self.port)], env=self.env, stdout=self.log.open("w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"server did not start: {self.log.read_text()[-2000:]}")

    def __exit__(self, *_exc) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Checks:
    """The response checks and what they saw."""

    def __init__(self, secrets: set[str]) -> None:
        self.secrets = secrets
        self.statuses: Counter[int] = Counter()
        self.codes: Counter[str] = Counter()

    def __call__(self, status: int, text: str, sent: str) -> None:
        self.statuses[status] += 1
        assert status < 500, (status, sent[:2000], text[:2000])
        if 400 <= status < 500 and not text.lstrip().startswith(("{", "[")):
            self.codes[f"HTTP_{status}"] += 1  # Strawberry's plain-text refusals (content type)
            return
        body = json.loads(text)
        items = body if isinstance(body, list) else [body]
        for item in items:
            for error in item.get("errors") or []:
                code = (error.get("extensions") or {}).get("code", "NONE")
                self.codes[code] += 1
                if code == "INTERNAL":
                    assert error["message"] == "Internal error", (sent, error)
                    raise AssertionError(f"internal error for {sent}: {error}")
                for marker in LEAK_MARKERS:
                    assert marker not in error["message"], (sent, error)
        leaked = [s for s in self.secrets if s in text and s not in sent]
        assert not leaked, (sent, leaked, text[:2000])


@dataclass
class Target:
    """What the fuzzer aims at: acme's admin token, ids to send, globex strings to hide."""

    token: str
    tenants: list[str]
    ids: list[str]
    hidden: set[str]


async def _target(platform) -> Target:
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex", "centralized")
    group_of = {t: "acme" for t in acme.ids.values()} | {t: "globex" for t in globex.ids.values()}
    world = World({**acme.ids, **globex.ids}, group_of, {}, {})
    await load_rows(platform, world)
    hidden = world.secrets_of(set(globex.ids.values())) | set(globex.users.values())
    ids = sorted(world.secrets_of(set(group_of)) | set(acme.users.values()))
    await platform.db.dispose()  # the server process takes over the database
    return Target(acme.token("admin"), sorted(group_of), ids,
                  {s for s in hidden if len(s) > 3})


def _json_nodes() -> st.SearchStrategy:
    """GraphQL literals for a ``JSON`` scalar: strings, numbers, objects of them."""
    from graphql import (
        IntValueNode,
        NameNode,
        ObjectFieldNode,
        ObjectValueNode,
        StringValueNode,
    )

    leaf = st.one_of(st.text(max_size=20).map(lambda v: StringValueNode(value=v)),
                     st.integers(-10, 10 ** 6).map(lambda v: IntValueNode(value=str(v))))
    return st.one_of(leaf, st.dictionaries(st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True),
                                           leaf, max_size=4).map(
        lambda d: ObjectValueNode(fields=tuple(
            ObjectFieldNode(name=NameNode(value=k), value=v) for k, v in d.items()))))


def custom_scalars(client_schema, known: set[str]) -> dict[str, st.SearchStrategy]:
    """Literal strategies for the schema's scalars outside ``known``: ``JSON`` objects,
    strings for the others (dates, URLs...: wrong ones are refused, which is tested too)."""
    from graphql import GraphQLScalarType, StringValueNode

    builtin = {"Int", "Float", "String", "ID", "Boolean"}
    return {name: _json_nodes() if name == "JSON" else st.text(max_size=30).map(
                lambda v: StringValueNode(value=v))
            for name, gtype in client_schema.type_map.items()
            if isinstance(gtype, GraphQLScalarType) and name not in builtin | known}


def _register_scalars(client_schema) -> None:
    """Register strategies for the custom scalars schemathesis does not know."""
    import schemathesis
    from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS, get_extra_scalar_strategies

    known = {*CUSTOM_SCALARS, *get_extra_scalar_strategies()}
    for name, strategy in custom_scalars(client_schema, known).items():
        schemathesis.graphql.scalar(name, strategy)


def _fuzz_positive(server: Server, target: Target, checks: Checks, examples: int) -> None:
    import schemathesis
    from graphql import StringValueNode
    from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS

    schema = schemathesis.graphql.from_url(f"{server.url}/graphql")
    _register_scalars(schema.client_schema)
    # IDs: mostly real ones (acme's, and globex's to replay), sometimes random text
    tenants = st.sampled_from(target.tenants)
    CUSTOM_SCALARS["ID"] = st.one_of(tenants, tenants, tenants, st.sampled_from(target.ids),
                                     st.text(max_size=40)).map(lambda v: StringValueNode(value=v))
    strategy = st.one_of([op.ok().as_strategy() for op in schema.get_all_operations()])
    headers = {"authorization": f"Bearer {target.token}"}

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case) -> None:
        response = case.call(headers=headers, timeout=30)
        checks(response.status_code, response.text, json.dumps(case.body, default=str))

    try:
        run()
    finally:
        CUSTOM_SCALARS.pop("ID", None)


def _fuzz_negative(server: Server, target: Target, checks: Checks, examples: int) -> None:
    from graphql import build_client_schema, get_introspection_query, print_schema
    from hypothesis_graphql import Mode, from_schema

    # the introspection document is large: on a machine loaded far beyond its cores its
    # validation can pass the 2 s deadline (QUERY_TOO_COMPLEX); that is the deadline working,
    # not what this test fuzzes, so ask again before giving up with the server's answer
    for _attempt in range(3):
        answer = httpx.post(f"{server.url}/graphql", json={"query": get_introspection_query()},
                            headers={"authorization": f"Bearer {target.token}"},
                            timeout=30).json()
        introspection = answer.get("data")
        if introspection:
            break
    assert introspection, f"introspection refused: {answer.get('errors')}"
    client_schema = build_client_schema(introspection)
    sdl = print_schema(client_schema)
    scalars = custom_scalars(client_schema, set())
    client = httpx.Client(base_url=server.url,
                          headers={"authorization": f"Bearer {target.token}"}, timeout=30)

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(query=from_schema(sdl, mode=Mode.NEGATIVE, custom_scalars=scalars))
    def run(query: str) -> None:
        response = client.post("/graphql", json={"query": query})
        checks(response.status_code, response.text, query)

    try:
        run()
    finally:
        client.close()


def _malformed_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that are not a GraphQL request, or not JSON, or hostile JSON."""
    query = b'{"query": "{ me { id } }", "variables": '
    return st.one_of(
        st.binary(max_size=300),
        st.sampled_from([b"null", b"42", b'"query"', b"[]", b"true", b"[1, \"x\", null]",
                         b'[{"query": "{ me { id } }"}, 7]', b'{"query": 42}', b"NaN",
                         b'{"query": "{ me { id } }", "variables": [1]}']),
        st.integers(10, 12_000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(10, 12_000).map(lambda n: query + b'{"a":' * n + b"1" + b"}" * n + b"}"),
        st.integers(50, 6000).map(lambda n: query + b'{"x": ' + b"9" * n + b"}}"),
        st.text(max_size=40).map(lambda t: query + json.dumps({"s": t}).encode()[:-2]
                                 + b'\\ud800"}}'),
    )


_HOSTILE_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30)
_CURSOR_VALUES = st.recursive(st.one_of(st.integers(-(10 ** 40), 10 ** 40), st.text(max_size=8),
                                        st.none()), lambda inner: st.lists(inner, max_size=3),
                              max_leaves=8)
_CSV = st.lists(st.lists(st.text(alphabet="ab,\"\r\n\x00 ", max_size=12), max_size=4),
                max_size=6).map(lambda rows: "kind,title,jurisdiction\r" + "\r".join(
                    ",".join(cells) for cells in rows))


def _hostile_variables(target: Target) -> st.SearchStrategy[dict]:
    """Operations with hostile variables: forged cursors, odd CSV, NUL and surrogates."""
    tenant = st.sampled_from(target.tenants)
    forged = _CURSOR_VALUES.map(
        lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode())
    cursor = st.one_of(forged, _HOSTILE_TEXT, forged.map(lambda c: f"{c}.{c[:8]}"))
    return st.one_of(
        st.builds(lambda t, a: {"query": "query($t: ID!, $a: String) { auditEvents(tenantId: "
                                "$t, first: 2, after: $a) { edges { cursor } } }",
                                "variables": {"t": t, "a": a}}, tenant, cursor),
        st.builds(lambda a: {"query": "query($a: String) { tenants(first: 2, after: $a) "
                             "{ edges { cursor } } }", "variables": {"a": a}}, cursor),
        st.builds(lambda t, c: {"query": "mutation($t: ID!, $c: String!) { importIpAssets("
                                "tenantId: $t, csv: $c, atomic: true) { created "
                                "errors { code } } }", "variables": {"t": t, "c": c}},
                  tenant, _CSV),
        st.builds(lambda t, n, s: {"query": "mutation($i: OnboardSubsidiaryInput!) { "
                                   "onboardSubsidiary(input: $i) { errors { code } } }",
                                   "variables": {"i": {"parentId": t, "slug": s, "name": n}}},
                  tenant, _HOSTILE_TEXT, _HOSTILE_TEXT),
        st.builds(lambda t, v: {"query": "mutation($t: ID!, $s: JSON!) { publishMetadataSpec("
                                "tenantId: $t, kindKey: \"k\", jsonSchema: $s) { errors "
                                "{ code } } }", "variables": {"t": t, "s": {"v": v}}},
                  tenant, _HOSTILE_TEXT),
        st.builds(lambda f: {"query": "query($f: Int) { tenants(first: $f) { edges { cursor } "
                             "} }", "variables": {"f": f}},
                  st.one_of(st.none(), st.integers(-(10 ** 20), 10 ** 20))),
    )


def _fuzz_hostile(server: Server, target: Target, checks: Checks, examples: int) -> None:
    from graphql import build_client_schema, get_introspection_query, print_schema
    from hypothesis_graphql import from_schema

    headers = {"authorization": f"Bearer {target.token}", "content-type": "application/json"}
    introspection = httpx.post(f"{server.url}/graphql", json={"query": get_introspection_query()},
                               headers=headers, timeout=30).json()["data"]
    client_schema = build_client_schema(introspection)
    literals = from_schema(print_schema(client_schema), allow_x00=True, codec=None,
                           custom_scalars=custom_scalars(client_schema, set())).map(
        lambda q: json.dumps({"query": q}).encode())
    variables = _hostile_variables(target).map(lambda b: json.dumps(b).encode())
    client = httpx.Client(base_url=server.url, headers=headers, timeout=30)

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(body=st.one_of(_malformed_bodies(), literals, variables))
    def run(body: bytes) -> None:
        response = client.post("/graphql", content=body)
        checks(response.status_code, response.text, body.decode("utf-8", "replace"))

    try:
        run()
    finally:
        client.close()


async def _fuzz(platform, examples: int, hostile: int | None = None) -> None:
    target = await _target(platform)
    checks = Checks(target.hidden)
    started = time.monotonic()
    with Server(platform) as server:
        await asyncio.to_thread(_fuzz_positive, server, target, checks, examples)
        positive = sum(checks.statuses.values())
        await asyncio.to_thread(_fuzz_negative, server, target, checks, examples)
        negative = sum(checks.statuses.values()) - positive
        await asyncio.to_thread(_fuzz_hostile, server, target, checks, hostile or examples)
    bad = sum(checks.statuses.values()) - positive - negative
    assert positive >= examples // 2 and negative >= examples // 2
    assert bad >= (hostile or examples) // 2
    assert checks.codes["GRAPHQL_VALIDATION"] > 0  # the negative mode did reach validation
    assert checks.codes["INVALID_JSON"] > 0 and checks.codes["BAD_TEXT"] > 0  # hostile ones too
    print(f"\nfuzzing: {positive} valid + {negative} invalid + {bad} hostile requests in "
          f"{time.monotonic() - started:.0f} s; statuses {dict(checks.statuses)}; "
          f"error codes {dict(checks.codes.most_common(14))}")


async def test_fuzzed_operations_never_fail_or_leak(platform, backend):
    if backend != "sqlite":
        pytest.skip("the default run fuzzes SQLite; the soak run fuzzes both backends")
    await _fuzz(platform, DEFAULT_EXAMPLES)


@pytest.mark.soak
async def test_fuzzing_long_run(platform):
    await _fuzz(platform, SLOW_EXAMPLES, HOSTILE_SLOW_EXAMPLES)
