"""What the deploy tests share: the setting names ipgov reads and the YAML lint rules."""

from __future__ import annotations

import dataclasses

from yamllint.config import YamlLintConfig

from ipgov.settings import PluginSetting, Settings

__all__ = ["KNOWN_VARIABLES", "PLUGIN_VARIABLES", "SETTING_NAMES", "YAMLLINT",
           "first_party_settings"]

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


def first_party_settings() -> list[tuple[str, PluginSetting]]:
    """``(plugin, declaration)`` of every setting the first-party plugins declare through
    ``register_settings`` (the ``ipgov`` distribution's entry points)."""
    from importlib.metadata import entry_points

    from ipgov.plugins.manager import ENTRY_POINT_GROUP, PluginRegistry

    registry = PluginRegistry()
    registry.load_entry_points(only=[ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)
                                     if ep.dist is not None and ep.dist.name == "ipgov"])
    return [(plugin, item) for plugin, items in registry.results_by_plugin("register_settings")
            for item in items]


#: Variables of the settings first-party plugins declare (search backend, import folders...).
PLUGIN_VARIABLES = frozenset(item.variable for _plugin, item in first_party_settings())

#: Every ``IPGOV_*`` variable something in ipgov reads.
KNOWN_VARIABLES = SETTING_NAMES | PLUGIN_VARIABLES
