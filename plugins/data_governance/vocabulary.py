"""The fixed vocabularies of data governance: classification levels, lifecycle stages, the
built-in asset kinds, quality dimensions, governance roles and reasonable-step kinds."""

from __future__ import annotations

__all__ = [
    "BUILTIN_KINDS", "CLASSIFICATIONS", "CONTENT_OBJECT", "DECISION_RIGHTS", "GOVERNANCE_ROLES",
    "LIFECYCLE_STAGES", "QUALITY_DIMENSIONS", "STEP_KINDS", "TRANSITIONS", "content_object",
    "level_rank",
]

CLASSIFICATIONS = ("public", "internal", "confidential", "secret")
"""Ordered from least to most protected; a reader needs clearance for the asset's level."""

CONTENT_OBJECT = "data_governance:content"


def content_object(level: str) -> str:
    """The permission object that stands for clearance at ``level`` (action ``read``)."""
    return f"{CONTENT_OBJECT}:{level}"


def level_rank(level: str) -> int:
    """0 for public ... 3 for secret."""
    return CLASSIFICATIONS.index(level)


LIFECYCLE_STAGES = ("create", "store", "use", "share", "archive", "destroy")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "create": ("store", "use"),
    "store": ("use", "share", "archive"),
    "use": ("store", "share", "archive"),
    "share": ("use", "archive"),
    "archive": ("use",),  # restore; destroy only through an approved destruction request
    "destroy": (),
}
"""Stage -> the stages a person may move an asset to. ``destroy`` is never a plain transition."""

BUILTIN_KINDS: dict[str, tuple[str, str]] = {
    "trade_secret": ("Trade secret", "Know-how kept secret for its commercial value "
                     "(EU Directive 2016/943, US DTSA)."),
    "data_asset": ("Data asset", "A data set the organization holds as a resource."),
    "patent_information": ("Patent information", "Patent data: searches, analyses, dossiers."),
    "technical_document": ("Technical document", "Specifications, drawings, reports."),
    "work_content": ("Work content", "Copyright works: articles, software, media."),
}

QUALITY_DIMENSIONS = ("completeness", "validity", "uniqueness", "timeliness", "consistency")
GOVERNANCE_ROLES = ("owner", "steward", "custodian")
DECISION_RIGHTS = ("classify", "grant_access", "approve_destruction", "change_spec",
                   "approve_publication")
STEP_KINDS = ("nda", "access_restriction", "marking", "training")
"""The reasonable steps a trade secret's holder documents (EU TSD art. 2(1)(c), DTSA)."""
