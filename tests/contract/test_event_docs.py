"""Events are a public contract (issue 17): docs/events.md documents every type of the
catalog as the code declares it, every example validates, and every type is emitted by some
test (named in an ``assert_emitted`` call, which checks the row and its payload)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipgov.events.docs import render_events_doc
from ipgov.plugins.catalog import build_catalog
from ipgov.startup import new_registry

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "events.md"
EMITTED = re.compile(r"assert_emitted\([^)]*?\"([a-z_]+\.[a-z_.]+)\"", re.DOTALL)


@pytest.fixture(scope="module")
def event_types():
    return build_catalog(new_registry()).event_types


def test_docs_events_md_is_the_catalog(event_types):
    assert DOCS.read_text(encoding="utf-8") == render_events_doc(event_types.values()), (
        "docs/events.md differs from the catalog: python -m ipgov.events.docs > docs/events.md")


def test_every_type_is_documented_with_schema_and_example(event_types):
    text = DOCS.read_text(encoding="utf-8")
    for name in event_types:
        section = text.split(f"\n## {name}\n", 1)
        assert len(section) == 2, f"docs/events.md has no section for {name}"
        assert section[1].split("\n## ", 1)[0].count("```json") == 2, name


def test_every_example_validates_and_every_payload_carries_the_tenant(event_types):
    for _plugin, declared in event_types.values():
        assert not list(declared.validator().iter_errors(dict(declared.example))), declared.name
        assert "tenant_id" in declared.payload["required"], declared.name
        assert declared.title(declared.example, "zh-CN") and declared.title(declared.example)


def test_every_first_party_type_has_a_short_name_in_both_languages(event_types):
    """Rule editors and preferences list types by label: the first-party ones write theirs
    (a partner's type without labels shows its summary)."""
    for plugin, declared in event_types.values():
        if plugin in ("core", "ip_governance", "patent_search", "data_governance"):
            assert declared.label("en") != declared.summary, declared.name
            assert declared.label("zh-CN") != declared.label("en"), declared.name


def test_every_type_is_emitted_by_some_test(event_types):
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").rglob(
        "test_*.py")))
    emitted = set(EMITTED.findall(sources))
    missing = sorted(set(event_types) - emitted)
    assert not missing, f"event types no test emits (assert_emitted): {missing}"
