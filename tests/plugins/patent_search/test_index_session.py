"""The semantic index reads every tenant's documents through the context's ``index_session``
(read-only, named, for derived indexes) and answers a tenant only from what it may read."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import make_group
from tests.plugins.patent_search.test_plugin import _collection, _ingest
from tests.plugins.patent_search.test_ranking_fallback import NEURAL, SEARCH, _search

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"


def test_no_plugin_opens_an_unfiltered_system_session_outside_graphql():
    found = []
    for source in PLUGINS.rglob("*.py"):
        if "graphql" in source.parts or source.name.startswith("graphql"):
            continue  # GraphQL resolvers: the kit's (organization/graphql/governance.py)
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"system_session", "system"}:
                found.append(f"{source.relative_to(PLUGINS)}:{node.lineno}")
    assert not found, found


async def test_the_semantic_index_holds_every_tenant_and_answers_one(platform, gql, imports):
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Neural")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, NEURAL)
    own = await _search(gql, acme, "analog circuit", "semantic")
    assert own["rankedBy"] == "semantic" and own["hits"]
    from patent_search.ranking import semantic_index

    index = await semantic_index(platform)
    assert len(index) > 0  # built from every tenant's documents (a derived index)
    for mode in ("semantic", "hybrid"):
        out = await gql(SEARCH, {"t": globex.ids["globex-a"], "q": "analog circuit", "m": mode},
                        globex.token("a-admin"))
        other = out["data"]["patentSearch"]
        assert other["hits"] == [] and other["total"] == 0, (mode, other)
