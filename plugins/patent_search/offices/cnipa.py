"""CNIPA (China National Intellectual Property Administration): no connector to call.

CNIPA publishes no public machine interface for bibliographic data or legal status: its
patent search system (pss-system.cponline.cnipa.gov.cn) and the China Patent Publication and
Announcement site (epub.cnipa.gov.cn) are web pages behind a sign-in and a CAPTCHA, and its
data service (the "专利数据服务" bulk products) is licensed delivery of files, not an API.
Scraping the web pages would break the sites' terms and fail at the CAPTCHA; it is not done.

What a tenant can do instead: CN legal status reaches INPADOC, so the EPO OPS connector
refreshes CN publications of the register too (a CN family member's events come with the
family); CNIPA XML files a tenant licenses are ingested as files (``ingest.asia``).
"""

from __future__ import annotations

from .errors import OfficeProblem

__all__ = ["REASON", "not_available"]

REASON = ("CNIPA offers no public machine interface (its search and publication sites are web "
          "pages behind a sign-in and a CAPTCHA; its data service delivers licensed files): "
          "CN publications are refreshed through EPO OPS (INPADOC carries CN legal status) "
          "and CNIPA XML files are ingested as files")
"""Why, in English; the message catalog (``OFFICE_NOT_AVAILABLE``) has it in Chinese."""



def not_available() -> OfficeProblem:
    """The answer of the CNIPA connector, whatever is asked of it."""
    return OfficeProblem("OFFICE_NOT_AVAILABLE", REASON, params={"office": "CNIPA"})
