"""The committed schema.graphql is exactly what the code builds (core + first-party plugins)."""

from pathlib import Path

from ipgov.graphql.schema import build_schema
from ipgov.plugins.manager import PluginRegistry
from ipgov.settings import Settings

FIRST_PARTY = ["ip_governance", "patent_search", "data_governance"]
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_code():
    registry = PluginRegistry()
    registry.load_entry_points(only=FIRST_PARTY)
    built = build_schema(Settings(), registry).as_str().strip()
    committed = SCHEMA_FILE.read_text().strip()
    assert built == committed, (
        "schema.graphql is out of date: run `ipgov graphql-schema > schema.graphql`")
