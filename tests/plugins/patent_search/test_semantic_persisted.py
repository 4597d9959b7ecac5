"""The semantic index is persisted and shared (issue 27 item 1): concurrent first requests do not
hang, every document is covered, only changed documents are encoded again, and an index built by
one process is used by another without refitting."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from patent_search.models import PatentDocument
from patent_search.semantic import SemanticIndex
from patent_search.semantic_sync import semantic_directory, semantic_index
from tests.conftest import make_group
from tests.plugins.patent_search.test_plugin import DATA, _collection, _ingest
from tests.plugins.patent_search.test_ranking_fallback import NEURAL


def _files(directory):
    return {p.name: p.stat().st_mtime_ns for p in (directory / "model").iterdir()}


async def test_the_index_is_built_once_covers_everything_and_is_reused_elsewhere(
    platform, gql, imports, monkeypatch
):
    acme = await make_group(platform, "acme")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Neural")
    encoded: list[int] = []
    add = SemanticIndex.add
    monkeypatch.setattr(
        SemanticIndex, "add", lambda self, docs: encoded.append(add(self, docs)) or encoded[-1]
    )
    await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, NEURAL)  # the job encodes
    async with platform.index_session("patent_search", "test") as session:
        stored = await session.scalar(select(func.count()).select_from(PatentDocument))
    assert sum(encoded) == stored > 0

    # a fresh process state, two concurrent first requests: one load, both answered, nothing
    # encoded again (a thread lock held across an await blocked the event loop here)
    platform.plugin_state("patent_search").pop("semantic")
    encoded.clear()
    first, second = await asyncio.wait_for(
        asyncio.gather(semantic_index(platform), semantic_index(platform)), 300
    )
    assert first is second
    assert len(first) == stored == len(first.hashes) and encoded == []

    # another collection: only its documents are encoded, the first's vectors are kept
    other = await _collection(gql, acme, "a-admin", "acme-a", "CN")
    encoded.clear()
    await _ingest(
        platform, gql, acme, "a-admin", "acme-a", other, DATA / "fixtures" / "cn_old1.xml"
    )
    grown = await semantic_index(platform)
    async with platform.index_session("patent_search", "test") as session:
        added = await session.scalar(
            select(func.count())
            .select_from(PatentDocument)
            .where(PatentDocument.collection_id == other)
        )
    assert sum(encoded) == added and len(grown) == stored + added

    # another process (the command line) loads what this one saved: no refit, no encoding
    directory = semantic_directory(platform)
    model_files = _files(directory)
    state = json.loads((directory / "semantic.json").read_text())
    env = {
        **os.environ,
        "IPGOV_DATA_DIR": str(platform.settings.data_dir),
        "IPGOV_DATABASE_URL": platform.settings.database_url,
    }
    command = [
        sys.executable,
        "-m",
        "ipgov.cli.main",
        "patents",
        "search",
        "--tenant",
        "acme-a",
        "--mode",
        "semantic",
        "analog circuit",
    ]
    result = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "ranked by semantic" in result.stdout
    assert _files(directory) == model_files
    assert json.loads((directory / "semantic.json").read_text()) == state
