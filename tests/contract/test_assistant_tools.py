"""The assistant's tools stay in step with the public API (issue 25): every tool of the core
and of the shipped plugins validates against the committed ``schema.graphql``, write tools
are mutations naming their tenant, and a tool that no longer matches fails loudly, naming
the tool and its file."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema

from ipgov.assistant.catalog import ToolCatalogError, build_tools, contributed_tools
from ipgov.graphql.schema import contributions
from ipgov.plugins.contracts import AssistantTool
from ipgov.plugins.tools import ToolFileError, load_assistant_tools
from ipgov.startup import new_registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def committed():
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


def test_every_shipped_tool_validates_against_schema_graphql(committed):
    specs = contributed_tools(contributions(new_registry()))
    tools = build_tools(committed, specs)
    assert len(tools) == len(specs) >= 20
    by_plugin = {t.plugin for t in tools.values()}
    assert {"core", "ip_governance", "patent_search", "data_governance"} <= by_plugin
    for tool in tools.values():
        assert tool.description["en"] and tool.description["zh-CN"], tool.name
        assert tool.input_schema["type"] == "object"
        if tool.writes:
            assert "tenantId" in tool.input_schema["required"], tool.name


def test_a_tool_that_no_longer_matches_names_itself(committed, tmp_path):
    stale = AssistantTool(name="old_tool", kind="read", description={"en": "x", "zh-CN": "x"},
                          operation="query Old($tenantId: ID!) { tenant(id: $tenantId) { "
                                    "vanished } }", source="acme/tools.yaml")
    with pytest.raises(ToolCatalogError, match=r"old_tool \(acme/tools.yaml\).*vanished"):
        build_tools(committed, [("acme", stale)])
    write_query = AssistantTool(name="sneaky", kind="write",
                                description={"en": "x", "zh-CN": "x"},
                                operation="query Q { me { id } }")
    with pytest.raises(ToolCatalogError, match="must be a mutation"):
        build_tools(committed, [("acme", write_query)])
    bad = tmp_path / "tools.yaml"
    bad.write_text("- name: Bad Name\n  kind: read\n", encoding="utf-8")
    with pytest.raises(ToolFileError, match=r"tools.yaml: tool #1: field name"):
        load_assistant_tools(bad)
