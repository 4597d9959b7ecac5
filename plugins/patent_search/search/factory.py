"""Choose and open the search backend from patent_search's settings."""

from __future__ import annotations

from pathlib import Path

from ipgov.api import PluginSettings
from patent_search.search.cpc import CpcScheme
from patent_search.search.cursor import CursorCodec
from patent_search.search.model import SearchBackend

__all__ = ["INDEX_DIR", "open_backend"]

INDEX_DIR = "patent-index"


def _setting(settings: PluginSettings, name: str) -> str:
    """Setting ``name`` of the plugin's settings, '' when empty."""
    return str(settings.get(name) or "").strip()


def open_backend(data_dir: Path | str, settings: PluginSettings) -> SearchBackend:
    """OpenSearch when a search URL is configured, else tantivy in ``<data_dir>/patent-index``.

    ``settings`` are patent_search's (``platform.plugin_settings("patent_search")``):
    ``search_url`` (``IPGOV_SEARCH_URL``), ``cpc_titles_path`` (``IPGOV_CPC_TITLES_PATH``: the
    full CPC Title List; the bundled main-group titles otherwise) and ``search_index``
    (OpenSearch index name, default ``ipgov-patents``).
    """
    data_dir = Path(data_dir or ".ipgov-data")
    titles = _setting(settings, "cpc_titles_path")
    cpc = CpcScheme.load(titles) if titles else CpcScheme.bundled()
    cursors = CursorCodec.from_data_dir(data_dir)
    url = _setting(settings, "search_url")
    if url:
        from patent_search.search.opensearch_backend import OpenSearchBackend

        index = _setting(settings, "search_index") or "ipgov-patents"
        return OpenSearchBackend(url, index=index, cpc=cpc, cursors=cursors)
    from patent_search.search.tantivy_backend import TantivyBackend

    return TantivyBackend(data_dir / INDEX_DIR, cpc=cpc, cursors=cursors)
