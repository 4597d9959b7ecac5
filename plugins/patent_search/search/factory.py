"""Choose and open the search backend from the settings object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from patent_search.search.cpc import CpcScheme
from patent_search.search.cursor import CursorCodec
from patent_search.search.model import SearchBackend

__all__ = ["INDEX_DIR", "open_backend"]

INDEX_DIR = "patent-index"


def _setting(settings: Any, name: str) -> str:
    """``settings.<name>``, else ``IPGOV_<NAME>`` from the environment, else ''."""
    value = getattr(settings, name, "") or os.environ.get(f"IPGOV_{name.upper()}", "")
    return str(value).strip()


def open_backend(settings: Any) -> SearchBackend:
    """OpenSearch when a search URL is configured, else tantivy in ``<data_dir>/patent-index``.

    Reads ``search_url`` (or ``IPGOV_SEARCH_URL``), ``data_dir``, ``cpc_titles_path`` (or
    ``IPGOV_CPC_TITLES_PATH``: the full CPC Title List; the bundled main-group titles otherwise)
    and ``search_index`` (OpenSearch index name, default ``ipgov-patents``).
    """
    data_dir = Path(getattr(settings, "data_dir", "") or ".ipgov-data")
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
