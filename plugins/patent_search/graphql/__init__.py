"""GraphQL of patent_search, in four modules over the plugin's services: ``types`` (types,
inputs, payloads and row mappings), ``queries`` (reads), ``mutations`` (writes through
``patent_search.services`` and the core's GraphQL kit) and ``offices`` (the office
connectors: their status, credentials, refresh runs and legal events).

Reads are bounded (page sizes, a 1,000-hit result window, a 50-clause query limit enforced by
the engine); writes return a payload with ``errors``, touch only the caller's own tenant and
are audited.
"""

from .mutations import PatentMutation
from .offices import OfficeMutation, OfficeQuery
from .queries import PatentQuery

__all__ = ["OfficeMutation", "OfficeQuery", "PatentMutation", "PatentQuery"]
