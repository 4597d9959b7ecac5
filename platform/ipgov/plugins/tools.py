"""Assistant tools as data: a YAML file of named GraphQL operations (``ipgov.api``).

One file per package (the core's ``ipgov/assistant/tools.yaml``, a plugin's own). Each entry::

    - name: list_ip_assets            # snake_case, unique
      kind: read                      # read (a query) or write (a mutation with $tenantId)
      description:
        en: The tenant's IP assets (patents, trademarks...), filtered, one page at a time.
        zh-CN: 租户的知识产权资产（专利、商标等），可筛选，分页返回。
      operation: |
        query ListIpAssets($tenantId: ID!, $first: Int! = 20, $after: String) { ... }

Loading checks the shape and names the file, the entry and the field at fault; the operation
itself is validated against the running schema when the assistant catalog is built
(``ipgov.assistant.catalog``), so a tool that no longer matches the API fails start-up and the
contract tests, never a caller.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .contracts import AssistantTool

__all__ = ["TOOL_KINDS", "TOOL_NAME", "ToolFileError", "load_assistant_tools"]

TOOL_NAME = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
TOOL_KINDS = ("read", "write")
MAX_TOOL_FILE_BYTES = 512 * 1024
MAX_OPERATION_CHARS = 8_000
MAX_DESCRIPTION_CHARS = 1_000


class ToolFileError(ValueError):
    """A tool file is malformed: the message names the file, the entry and the field."""


def _entry(path: Path, index: int, raw: Any) -> AssistantTool:
    where = f"{path}: tool #{index + 1}"
    if not isinstance(raw, dict):
        raise ToolFileError(f"{where}: expected a mapping with name, kind, description, operation")
    unknown = sorted(set(raw) - {"name", "kind", "description", "operation"})
    if unknown:
        raise ToolFileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise ToolFileError(f"{where}: field name: expected snake_case of 3 to 64 characters, "
                            f"got {name!r}")
    where = f"{path}: tool {name}"
    if raw.get("kind") not in TOOL_KINDS:
        raise ToolFileError(f"{where}: field kind: expected read or write, got "
                            f"{raw.get('kind')!r}")
    description = raw.get("description")
    if not isinstance(description, dict):
        raise ToolFileError(f"{where}: field description: expected en and zh-CN texts")
    for locale in ("en", "zh-CN"):
        text = description.get(locale)
        if not isinstance(text, str) or not text.strip():
            raise ToolFileError(f"{where}: field description.{locale}: the text is missing")
        if len(text) > MAX_DESCRIPTION_CHARS:
            raise ToolFileError(f"{where}: field description.{locale}: longer than "
                                f"{MAX_DESCRIPTION_CHARS} characters")
    operation = raw.get("operation")
    if not isinstance(operation, str) or not operation.strip():
        raise ToolFileError(f"{where}: field operation: a GraphQL operation is required")
    if len(operation) > MAX_OPERATION_CHARS:
        raise ToolFileError(f"{where}: field operation: longer than {MAX_OPERATION_CHARS} "
                            "characters")
    return AssistantTool(name=name, kind=raw["kind"],
                         description={"en": description["en"].strip(),
                                      "zh-CN": description["zh-CN"].strip()},
                         operation=operation.strip(), source=str(path))


def load_assistant_tools(path: Path) -> list[AssistantTool]:
    """The tools of a YAML tool file (see the module's documentation); ``ToolFileError``
    naming the file, entry and field when it is malformed."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_TOOL_FILE_BYTES:
            raise ToolFileError(f"{path}: larger than {MAX_TOOL_FILE_BYTES} bytes")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ToolFileError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, list):
        raise ToolFileError(f"{path}: expected a list of tools")
    tools = [_entry(path, i, raw) for i, raw in enumerate(data)]
    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            raise ToolFileError(f"{path}: tool {tool.name}: the name is used twice")
        seen.add(tool.name)
    return tools
