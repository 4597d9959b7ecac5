"""Office connectors: the patent offices' own services, asked for the register's numbers.

Each connector is a small client over ``httpx`` with bounded time, answer size and retries:
EPO Open Patent Services (``epo_ops``: OAuth client credentials, the fair-use throttling and
quota headers; bibliographic data, the INPADOC family and its legal events, worldwide, CN
included), the USPTO Open Data Portal (``uspto_odp``: an API key; the patent file wrapper of a
US application with its transaction events) and CNIPA (``cnipa``: no public machine interface
exists, and the connector says so instead of pretending). ``refresh`` is the worker job that
walks the tenant's register numbers with a cursor stored in the database; ``services`` holds
the per-tenant configuration (credentials sealed, never returned) and the run status.
"""

from .registry import CONNECTORS, OfficeConnectorInfo, connector_info

__all__ = ["CONNECTORS", "OfficeConnectorInfo", "connector_info"]
