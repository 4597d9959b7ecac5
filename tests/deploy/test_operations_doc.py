"""docs/operations.md documents every setting the platform and its plugins read, only those."""

from __future__ import annotations

import re
from pathlib import Path

from tests.deploy.common import KNOWN_VARIABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
ROW = re.compile(r"^\| `(IPGOV_[A-Z0-9_]+)` \|", re.MULTILINE)


def test_every_setting_has_a_row_in_the_configuration_reference():
    documented = ROW.findall(DOC.read_text())
    missing = sorted(KNOWN_VARIABLES - set(documented))
    assert not missing, f"add these to docs/operations.md (Configuration reference): {missing}"
    assert len(documented) == len(set(documented)), "a setting is documented twice"


def test_the_configuration_reference_names_no_setting_that_does_not_exist():
    stale = sorted(set(ROW.findall(DOC.read_text())) - KNOWN_VARIABLES)
    assert not stale, f"docs/operations.md documents settings ipgov does not read: {stale}"


def test_every_ipgov_variable_mentioned_anywhere_in_the_guide_exists():
    mentioned = set(re.findall(r"\bIPGOV_[A-Z0-9_]*[A-Z0-9]\b", DOC.read_text()))
    compose_only = {"IPGOV_API_PORTS", "IPGOV_APP_DB_PASSWORD"}  # deploy/.env.example
    unknown = sorted(mentioned - KNOWN_VARIABLES - compose_only)
    assert not unknown, unknown
