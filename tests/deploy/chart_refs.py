"""Find every chart value a Helm template reads, so a test can check each one exists.

Templates read values as ``.Values.a.b`` / ``$.Values.a.b``, and (in ``hpa.yaml`` and
``pdb.yaml``) through a variable bound per component::

    {{- range $component := list "api" "worker" }}
    {{- $values := index $.Values $component }}  ...  {{ $values.autoscaling.enabled }}

Both forms are resolved here to dotted paths ("api.autoscaling.enabled"), with the file and
line that reads them, whether or not the branch renders with the default values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Reference", "missing_in_schema", "missing_in_values", "value_references"]

_DIRECT = re.compile(r"\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_RANGE_LIST = re.compile(r"range\s+(\$[A-Za-z_]\w*)\s*:=\s*list((?:\s+\"[^\"]+\")+)")
_INDEXED = re.compile(r"(\$[A-Za-z_]\w*)\s*:=\s*index\s+\$\.Values\s+(\$[A-Za-z_]\w*)")


@dataclass(frozen=True)
class Reference:
    """One value read by a template: its dotted path and where it is read."""

    path: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: .Values.{self.path}"


def value_references(chart: Path) -> list[Reference]:
    """Every value path read by the chart's templates (``templates/**``)."""
    refs: list[Reference] = []
    for template in sorted((chart / "templates").rglob("*")):
        if template.is_file():
            refs.extend(_references_in(template.read_text(), str(template.relative_to(chart))))
    return refs


def _references_in(text: str, name: str) -> list[Reference]:
    refs: list[Reference] = []
    ranges: dict[str, list[str]] = {}  # $component -> ["api", "worker"]
    bound: dict[str, list[str]] = {}  # $values -> ["api", "worker"]
    for number, line in enumerate(text.splitlines(), start=1):
        for var, names in _RANGE_LIST.findall(line):
            ranges[var] = re.findall(r"\"([^\"]+)\"", names)
        for var, index_var in _INDEXED.findall(line):
            bound[var] = ranges.get(index_var, [])
            refs.extend(Reference(component, name, number) for component in bound[var])
        for tail in _DIRECT.findall(line):
            refs.append(Reference(tail.lstrip("."), name, number))
        for var, components in bound.items():
            for tail in re.findall(re.escape(var) + r"((?:\.[A-Za-z_]\w*)+)", line):
                refs.extend(Reference(f"{c}{tail}", name, number) for c in components)
    return refs


def missing_in_values(refs: list[Reference], values: dict[str, Any]) -> list[Reference]:
    """References whose path does not exist in ``values`` (a key may hold null or {})."""
    missing = []
    for ref in refs:
        node: Any = values
        for key in ref.path.split("."):
            if not isinstance(node, dict) or key not in node:
                missing.append(ref)
                break
            node = node[key]
    return missing


def missing_in_schema(refs: list[Reference], schema: dict[str, Any]) -> list[Reference]:
    """References whose path is not declared in the JSON schema's ``properties``."""
    missing = []
    for ref in refs:
        node = schema
        for key in ref.path.split("."):
            props = node.get("properties", {})
            if key not in props:
                missing.append(ref)
                break
            node = props[key]
    return missing
