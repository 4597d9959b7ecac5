"""GraphQL of patent_search, in three modules over the plugin's services: ``types`` (types,
inputs, payloads and row mappings), ``queries`` (reads) and ``mutations`` (writes through
``patent_search.services`` and the core's GraphQL kit).

Reads are bounded (page sizes, a 1,000-hit result window, a 50-clause query limit enforced by
the engine); writes return a payload with ``errors``, touch only the caller's own tenant and
are audited.
"""

from .mutations import PatentMutation
from .queries import PatentQuery

__all__ = ["PatentMutation", "PatentQuery"]
