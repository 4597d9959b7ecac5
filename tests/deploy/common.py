"""What the deploy tests share: the setting names ipgov reads and the YAML lint rules."""

from __future__ import annotations

import dataclasses

from yamllint.config import YamlLintConfig

from ipgov.settings import Settings

__all__ = ["KNOWN_VARIABLES", "PLUGIN_VARIABLES", "SETTING_NAMES", "YAMLLINT"]

#: Every environment variable the platform reads (``Settings.from_env``).
SETTING_NAMES = frozenset(f"IPGOV_{f.name.upper()}" for f in dataclasses.fields(Settings)
                          if f.name != "extra")

#: yamllint's defaults, with the project's line length and a flow style for short maps.
YAMLLINT = YamlLintConfig("""
extends: default
rules:
  line-length: {max: 100, allow-non-breakable-inline-mappings: true}
  document-start: disable
  comments: {min-spaces-from-content: 1}
  braces: {min-spaces-inside: 0, max-spaces-inside: 1}
  brackets: {min-spaces-inside: 0, max-spaces-inside: 0}
  truthy: {check-keys: false}
""")


def _plugin_variables() -> frozenset[str]:
    """``IPGOV_*`` variables first-party plugins read from the environment themselves."""
    import re
    from pathlib import Path

    names: set[str] = set()
    for source in (Path(__file__).resolve().parents[2] / "plugins").rglob("*.py"):
        text = source.read_text(errors="replace")
        names.update(re.findall(r"\bIPGOV_[A-Z0-9_]*[A-Z0-9]\b", text))
        # patent_search's factory: _setting(settings, "search_url") reads IPGOV_SEARCH_URL
        names.update(f"IPGOV_{n.upper()}" for n in re.findall(r"_setting\(\w+, \"(\w+)\"\)", text))
    return frozenset(names - SETTING_NAMES)


#: Variables read by plugins (patent search backend, import folders, upload limit...).
PLUGIN_VARIABLES = _plugin_variables()

#: Every ``IPGOV_*`` variable something in ipgov reads.
KNOWN_VARIABLES = SETTING_NAMES | PLUGIN_VARIABLES
