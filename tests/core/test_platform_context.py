"""The typed platform context plugins receive (``ipgov.api.PlatformContext``).

``Platform`` satisfies the protocol member by member (names, parameters, async or not), the
tenant directory answers from memory, and the derived-index session reads every tenant but
writes nothing.
"""

from __future__ import annotations

import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from ipgov.api import PlatformContext, TenantDirectory, lineage, tenant_by_ref
from ipgov.plugins import hookspecs
from ipgov.runtime import Platform
from tests.conftest import make_group

ROOT = Path(__file__).resolve().parents[2]


def _members(protocol: type) -> list[str]:
    return sorted(n for n, v in vars(protocol).items()
                  if not n.startswith("_") and (callable(v) or isinstance(v, property)))


def test_platform_has_every_member_of_the_context_with_the_same_signature():
    members = _members(PlatformContext)
    assert {"tenant_session", "read_session", "tenants_session", "index_session", "audit",
            "plugin_settings", "plugin_state", "tenants", "settings", "allowed",
            "tenants_where", "enqueue_job", "emit_event"} <= set(members)
    for name in members:
        declared = getattr(PlatformContext, name)
        if isinstance(declared, property):
            assert name in Platform.__dataclass_fields__ or isinstance(
                getattr(Platform, name, None), property), name
            continue
        actual = getattr(Platform, name)
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(declared), name
        want = [(p.name, p.kind, p.default) for p in inspect.signature(declared).parameters
                .values()]
        got = [(p.name, p.kind, p.default) for p in inspect.signature(actual).parameters
               .values()]
        assert got == want, f"Platform.{name}{inspect.signature(actual)} differs from the " \
                            f"protocol's {inspect.signature(declared)}"


async def test_the_running_platform_is_a_platform_context(platform):
    assert isinstance(platform, PlatformContext)
    assert isinstance(platform.tenants, TenantDirectory)


def test_hooks_that_receive_the_platform_name_the_context_type():
    for name in ("list_ip_objects", "screen_text"):
        spec = inspect.signature(getattr(hookspecs, name))
        assert spec.parameters["platform"].annotation == "PlatformContext", name


@pytest.mark.skipif(shutil.which("mypy") is None and not (Path(sys.executable).parent / "mypy")
                    .exists(), reason="mypy is not installed")
def test_mypy_accepts_platform_where_a_context_is_expected(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from ipgov.api import PlatformContext\nfrom ipgov.runtime import Platform"
                     "\n\n\ndef use(p: Platform) -> PlatformContext:\n    return p\n")
    wrong = tmp_path / "wrong.py"
    wrong.write_text("from ipgov.api import PlatformContext\n\n\nclass Half:\n"
                     "    def plugin_state(self, plugin: str) -> dict[str, object]:\n"
                     "        return {}\n\n\ndef use(p: Half) -> PlatformContext:\n"
                     "    return p\n")
    mypy = str(Path(sys.executable).parent / "mypy")
    args = [mypy, "--follow-imports=silent", "--ignore-missing-imports", "--no-incremental",
            "--cache-dir", str(tmp_path / "cache")]
    ok = subprocess.run([*args, str(probe)], capture_output=True, text=True, cwd=ROOT,
                        env={"MYPYPATH": str(ROOT / "platform"), "PATH": "/usr/bin:/bin"})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([*args, str(wrong)], capture_output=True, text=True, cwd=ROOT,
                         env={"MYPYPATH": str(ROOT / "platform"), "PATH": "/usr/bin:/bin"})
    assert bad.returncode == 1 and "PlatformContext" in bad.stdout, bad.stdout


async def test_the_tenant_directory_walks_the_tree_from_memory(platform):
    g = await make_group(platform, "acme")
    acme, a = g.ids["acme"], g.ids["acme-a"]
    assert platform.tenants.info(a).slug == "acme-a"
    assert platform.tenants.info("no-such-tenant") is None
    assert platform.tenants.ancestors(a)[0].id == acme
    assert a not in {t.id for t in platform.tenants.ancestors(a)}
    assert [t.slug for t in platform.tenants.descendants(acme)] == ["acme-a", "acme-b",
                                                                    "acme-c"]
    assert platform.tenants.descendants(a) == []
    assert [t.id for t in lineage(platform, a)][:2] == [a, acme]
    assert tenant_by_ref(platform, "acme-b").id == g.ids["acme-b"]
    assert tenant_by_ref(platform, a).slug == "acme-a"


async def test_authorization_decisions_through_the_context(platform):
    g = await make_group(platform, "acme")
    viewer, a, b = g.users["a-viewer"], g.ids["acme-a"], g.ids["acme-b"]
    assert platform.allowed(viewer, a, "ipgov:review", "read")
    assert not platform.allowed(viewer, b, "ipgov:review", "read")
    assert platform.tenants_where(viewer, "ipgov:review", "read") == {a}


async def test_read_and_index_sessions_write_nothing(platform):
    from ipgov.audit.models import AuditEvent

    g = await make_group(platform, "acme")
    a, b = g.ids["acme-a"], g.ids["acme-b"]
    async with platform.index_session("patent_search", "test") as session:
        tenants = set((await session.execute(select(AuditEvent.tenant_id))).scalars())
        assert {a, b} <= tenants  # every tenant: this is for derived indexes only
        before = (await session.execute(select(func.count(AuditEvent.id)))).scalar_one()
    # both refuse the write at once: PostgreSQL in a READ ONLY transaction, SQLite on a
    # query_only connection
    with pytest.raises(DBAPIError) as refused:
        async with platform.read_session(a) as session:
            assert set((await session.execute(select(AuditEvent.tenant_id))).scalars()) == {a}
            await platform.audit(session, tenant_id=a, actor="test", action="test.read_only",
                                 object_type="test:thing")
    message = str(refused.value).lower()
    assert "read-only" in message or "readonly" in message, message
    async with platform.index_session("patent_search", "count") as session:
        after = (await session.execute(select(func.count(AuditEvent.id)))).scalar_one()
    assert after == before  # the read-only session ended without committing


async def test_plugin_state_belongs_to_one_plugin_and_one_platform(platform):
    platform.plugin_state("patent_search")["backend"] = "x"
    assert platform.plugin_state("patent_search") == {"backend": "x"}
    assert platform.plugin_state("data_governance") == {}


async def test_typed_attributes_replace_the_extras_of_the_core(platform):
    from ipgov.graphql.cursors import CursorCodec
    from ipgov.identity.revocations import RevocationFollower
    from ipgov.web.downloads import tenant_routes
    from ipgov.web.ratelimit import rate_limits

    assert CursorCodec.of(platform) is platform.cursor_codec is CursorCodec.of(platform)
    assert RevocationFollower.of(platform) is platform.revocation_follower
    assert tenant_routes(platform) is platform.download_routes
    limits = rate_limits(platform)
    assert list(platform.rate_limiters.values()) == [limits]
    assert not hasattr(platform, "extras"), "untyped platform state is gone (issue 21)"


INTERNALS = ROOT / "docs" / "internals.md"


def _documented_line(name: str) -> str:
    """The first line of the python block under ``## <name>`` in docs/internals.md."""
    text = INTERNALS.read_text()
    section = text.split(f"\n## {name}\n", 1)
    assert len(section) == 2, f"docs/internals.md has no '## {name}' section"
    body = section[1].split("\n## ", 1)[0]
    assert "```python\n" in body, f"'## {name}' has no python block"
    assert body.count("```python\n") >= 2, f"'## {name}' has no example after its signature"
    return body.split("```python\n", 1)[1].split("\n", 1)[0]


def _signature_line(name: str) -> str:
    member = getattr(PlatformContext, name)
    if isinstance(member, property):
        return f"{name}: {inspect.signature(member.fget).return_annotation}"
    parts, keyword_only = [], False
    for p in list(inspect.signature(member).parameters.values())[1:]:
        if p.kind is p.KEYWORD_ONLY and not keyword_only:
            parts.append("*")
            keyword_only = True
        default = "" if p.default is p.empty else (
            f' = "{p.default}"' if isinstance(p.default, str) else f" = {p.default}")
        parts.append(f"{p.name}: {p.annotation}{default}")
    prefix = "async " if inspect.iscoroutinefunction(member) else ""
    returns = inspect.signature(member).return_annotation
    return f"{prefix}{name}({', '.join(parts)}) -> {returns}"


@pytest.mark.parametrize("name", _members(PlatformContext))
def test_every_member_is_documented_in_internals_with_its_signature(name):
    assert _documented_line(name) == _signature_line(name)


def test_the_plugin_guide_links_to_the_internals():
    assert "](internals.md)" in (ROOT / "docs" / "plugins.md").read_text()
