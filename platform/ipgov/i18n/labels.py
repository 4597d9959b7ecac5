"""Labels of the enum values a person reads: functions, domains, severities, modes, statuses.

APIs keep returning the stable values (``govern``, ``hybrid``); every place that shows one to a
person asks ``label(vocabulary, value)`` for it in the reader's language. An unknown value is
shown as it is (a plugin's own value, a future status), never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import cache
from pathlib import Path

import yaml

from .messages import CatalogError, current_locale
from .negotiation import LOCALES, normalize

__all__ = ["ENUMS", "LABELS_FILE", "label", "labels", "vocabulary"]

LABELS_FILE = Path(__file__).with_name("labels.yaml")


def _enums() -> dict[str, type[Enum]]:
    from ipgov.jobs.models import JobStatus
    from ipgov.reviews.checks import CheckStatus, Function, GovernanceDomain, Severity
    from ipgov.reviews.models import DirectiveStatus, RunStatus
    from ipgov.reviews.scoring import Assessment
    from ipgov.tenancy.models import EscalationStatus, TenantKind, TenantStatus
    from ipgov.tenancy.modes import GovernanceMode

    return {"function": Function, "domain": GovernanceDomain, "severity": Severity,
            "governance_mode": GovernanceMode, "tenant_kind": TenantKind,
            "tenant_status": TenantStatus, "run_status": RunStatus,
            "check_status": CheckStatus, "directive_status": DirectiveStatus,
            "escalation_status": EscalationStatus, "job_status": JobStatus,
            "assessment": Assessment}


ENUMS: Callable[[], dict[str, type[Enum]]] = _enums
"""The enums whose every value must have a label (checked by tests/core/test_i18n.py)."""


@cache
def labels() -> dict[str, dict[str, dict[str, str]]]:
    """``vocabulary -> value -> {"en": ..., "zh-CN": ...}`` (validated, loaded once)."""
    data = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    for vocab, values in data.items():
        for value, texts in values.items():
            for locale in LOCALES:
                if not isinstance(texts, dict) or not str(texts.get(locale, "")).strip():
                    raise CatalogError(f"{LABELS_FILE}: {vocab}.{value}: the {locale} label "
                                       "is missing")
    return data


def vocabulary(name: str) -> dict[str, dict[str, str]]:
    """Every value of one vocabulary with its labels (empty for an unknown vocabulary)."""
    return labels().get(name, {})


def label(name: str, value: str | None, locale: str | None = None) -> str:
    """The label of ``value`` in vocabulary ``name`` for a reader of ``locale`` (default: the
    current request's); the value itself when it has none."""
    if value is None:
        return ""
    texts = labels().get(name, {}).get(str(value))
    if texts is None:
        return str(value)
    return texts[normalize(locale) or current_locale.get()]
