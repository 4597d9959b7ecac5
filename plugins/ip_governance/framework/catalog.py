"""Framework catalogs as data: the ``ipgov-framework/1`` YAML format, its loader and validator.

A catalog (the built-in IP-CSF, or one a tenant or partner loads) lists functions, their
categories and the outcomes a tenant's profiles are assessed against. The loader composes the
YAML node tree so that every problem can be reported with its file, line and field; a file with
any problem is rejected as a whole (one :class:`FrameworkFormatError` listing them all) and
nothing of it is used. The format is described in ``docs/framework-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ipgov.api import FrameworkCatalog, Function, GovernanceDomain, InvalidInput

__all__ = [
    "BUILTIN_ID",
    "FORMAT",
    "Framework",
    "FrameworkFormatError",
    "Problem",
    "builtin_frameworks",
    "shipped_catalogs",
    "parse_framework",
]

FORMAT = "ipgov-framework/1"
BUILTIN_ID = "ip-csf"
DATA_DIR = Path(__file__).parent / "data"
MAX_BYTES = 1_000_000
MAX_CATEGORIES_PER_FUNCTION = 30
MAX_OUTCOMES_PER_CATEGORY = 20
MAX_OUTCOMES = 1000
PRIORITY_WEIGHTS = {"high": 3, "medium": 2, "low": 1}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_FUNCTION_ID = re.compile(r"^[A-Z]{2,3}$")
_REF_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,30}$")
_FUNCTIONS = {f.value for f in Function}
_DOMAINS = {d.value for d in GovernanceDomain}


@dataclass(frozen=True)
class Problem:
    """One problem in a framework file: where it is and what is wrong."""

    line: int
    field: str
    message: str


class FrameworkFormatError(InvalidInput):
    """A framework file that breaks the format; ``problems`` lists every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line, p.field))
        lines = [f"{file}:{p.line}: {p.field}: {p.message}" for p in self.problems]
        super().__init__(f"{len(lines)} problem(s) in {file}:\n" + "\n".join(lines),
                         code="FRAMEWORK_FORMAT", field=self.problems[0].field,
                         details={"file": file, "problems": [p.__dict__ for p in self.problems]})


# ----------------------------------------------------------------------------- node reading


class _Reader:
    """Reads a composed YAML node tree into plain values, noting problems with their lines."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, path: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(line, path, message))

    def mapping(self, node: yaml.Node, path: str, required: set[str],
                optional: set[str]) -> dict[str, yaml.Node] | None:
        """A mapping's values by key; unknown, duplicate and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, "expected a mapping")
            return None
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            where = f"{path}.{key}" if path else str(key)
            if key is None:
                self.problem(key_node, path, "keys must be plain strings")
            elif key in values:
                self.problem(key_node, where, "duplicate key")
            elif key not in required | optional:
                self.problem(key_node, where,
                             f"unknown field (allowed: {', '.join(sorted(required | optional))})")
            else:
                values[key] = value_node
        for key in sorted(required - values.keys()):
            self.problem(node, f"{path}.{key}" if path else key, "required field is missing")
        return values

    def string(self, node: yaml.Node | None, path: str, *, pattern: re.Pattern[str] | None = None,
               choices: set[str] | None = None, max_len: int = 2000) -> str | None:
        """A non-empty string scalar, optionally matching ``pattern`` or one of ``choices``."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":bool")):
            self.problem(node, path, "expected a string")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, path, "must not be empty")
        elif len(value) > max_len:
            self.problem(node, path, f"longer than {max_len} characters")
        elif pattern is not None and not pattern.match(value):
            self.problem(node, path, f"{value!r} does not match {pattern.pattern}")
        elif choices is not None and value not in choices:
            self.problem(node, path, f"{value!r} is not one of {', '.join(sorted(choices))}")
        else:
            return value
        return None

    def text(self, node: yaml.Node | None, path: str) -> dict[str, str] | None:
        """Bilingual text ``{en: ..., zh: ...}``: both languages are required."""
        if node is None:
            return None
        fields = self.mapping(node, path, {"en", "zh"}, set())
        if fields is None:
            return None
        en = self.string(fields.get("en"), f"{path}.en")
        zh = self.string(fields.get("zh"), f"{path}.zh")
        return {"en": en, "zh": zh} if en and zh else None

    def sequence(self, node: yaml.Node | None, path: str, maximum: int) -> list[yaml.Node]:
        """The items of a sequence (at most ``maximum``)."""
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, "expected a list")
            return []
        if len(node.value) > maximum:
            self.problem(node, path, f"at most {maximum} items")
        return list(node.value[:maximum])


# ----------------------------------------------------------------------------- parsing


def _parse_references(r: _Reader, node: yaml.Node | None) -> list[dict[str, Any]]:
    refs = []
    for i, item in enumerate(r.sequence(node, "references", 20)):
        path = f"references[{i}]"
        f = r.mapping(item, path, {"id", "title", "kind", "outline"}, {"note"})
        if f is None:
            continue
        outline: dict[str, Any] = {}
        onode = f.get("outline")
        if isinstance(onode, yaml.MappingNode):
            for key_node, value_node in onode.value:
                key = r.string(key_node, f"{path}.outline", pattern=_REF_KEY)
                text = r.text(value_node, f"{path}.outline.{key_node.value}")
                if key and key in outline:
                    r.problem(key_node, f"{path}.outline.{key}", "duplicate key")
                elif key and text:
                    outline[key] = text
        elif onode is not None:
            r.problem(onode, f"{path}.outline", "expected a mapping of key to {en, zh}")
        refs.append({"id": r.string(f.get("id"), f"{path}.id", pattern=_ID),
                     "title": r.text(f.get("title"), f"{path}.title"),
                     "kind": r.string(f.get("kind"), f"{path}.kind",
                                      choices={"clauses", "stages"}),
                     "note": r.text(f.get("note"), f"{path}.note"),
                     "outline": outline, "_line": item.start_mark.line + 1})
    return refs


def _parse_outcome(r: _Reader, node: yaml.Node, path: str, category_id: str | None
                   ) -> dict[str, Any] | None:
    f = r.mapping(node, path, {"id", "title", "domain", "priority"},
                  {"mappings", "seed_ref", "description"})
    if f is None:
        return None
    oid = r.string(f.get("id"), f"{path}.id", max_len=40)
    if oid and category_id and not re.fullmatch(re.escape(category_id) + r"-[0-9A-Z]{2,6}", oid):
        r.problem(f["id"], f"{path}.id", f"outcome ids look like {category_id}-01")
    mappings: dict[str, list[str]] = {}
    mnode = f.get("mappings")
    if isinstance(mnode, yaml.MappingNode):
        for key_node, value_node in mnode.value:
            keys = [r.string(k, f"{path}.mappings.{key_node.value}", max_len=40)
                    for k in r.sequence(value_node, f"{path}.mappings.{key_node.value}", 20)]
            mappings[str(key_node.value)] = [k for k in keys if k]
    elif mnode is not None:
        r.problem(mnode, f"{path}.mappings", "expected a mapping of reference id to keys")
    return {"id": oid, "title": r.text(f.get("title"), f"{path}.title"),
            "description": r.text(f.get("description"), f"{path}.description"),
            "domain": r.string(f.get("domain"), f"{path}.domain", choices=_DOMAINS),
            "priority": r.string(f.get("priority"), f"{path}.priority",
                                 choices=set(PRIORITY_WEIGHTS)),
            "seed_ref": r.string(f.get("seed_ref"), f"{path}.seed_ref", max_len=40),
            "mappings": mappings, "_line": node.start_mark.line + 1,
            "_mapping_lines": {str(k.value): v.start_mark.line + 1
                               for k, v in (mnode.value if isinstance(mnode, yaml.MappingNode)
                                            else [])}}


def _parse_category(r: _Reader, node: yaml.Node, path: str, function_id: str | None,
                    extending: bool) -> dict[str, Any] | None:
    required = {"id", "outcomes"} if extending else {"id", "title", "outcomes"}
    f = r.mapping(node, path, required, {"title", "description"})
    if f is None:
        return None
    cid = r.string(f.get("id"), f"{path}.id", max_len=20)
    if cid and function_id and not re.fullmatch(re.escape(function_id) + r"\.[A-Z0-9]{2,6}",
                                                cid):
        r.problem(f["id"], f"{path}.id", f"category ids look like {function_id}.XX")
    outcomes = [_parse_outcome(r, o, f"{path}.outcomes[{i}]", cid)
                for i, o in enumerate(r.sequence(f.get("outcomes"), f"{path}.outcomes",
                                                 MAX_OUTCOMES_PER_CATEGORY))]
    return {"id": cid, "title": r.text(f.get("title"), f"{path}.title"),
            "description": r.text(f.get("description"), f"{path}.description"),
            "outcomes": [o for o in outcomes if o], "_line": node.start_mark.line + 1}


def _parse_function(r: _Reader, node: yaml.Node, path: str, extending: bool
                    ) -> dict[str, Any] | None:
    required = {"id", "categories"} if extending else {"id", "function", "title", "categories"}
    f = r.mapping(node, path, required, {"function", "title", "description"})
    if f is None:
        return None
    fid = r.string(f.get("id"), f"{path}.id", pattern=_FUNCTION_ID)
    categories = [_parse_category(r, c, f"{path}.categories[{i}]", fid, extending)
                  for i, c in enumerate(r.sequence(f.get("categories"), f"{path}.categories",
                                                   MAX_CATEGORIES_PER_FUNCTION))]
    return {"id": fid,
            "function": r.string(f.get("function"), f"{path}.function", choices=_FUNCTIONS),
            "title": r.text(f.get("title"), f"{path}.title"),
            "description": r.text(f.get("description"), f"{path}.description"),
            "categories": [c for c in categories if c], "_line": node.start_mark.line + 1}


def _compose(text: str, file: str) -> yaml.Node:
    if len(text.encode()) > MAX_BYTES:
        raise FrameworkFormatError(file, [Problem(1, "(file)",
                                                  f"larger than {MAX_BYTES} bytes")])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FrameworkFormatError(file, [Problem(mark.line + 1 if mark else 1, "(syntax)",
                                                  str(exc.problem or exc))]) from None
    except yaml.YAMLError as exc:
        raise FrameworkFormatError(file, [Problem(1, "(syntax)", str(exc))]) from None
    if node is None:
        raise FrameworkFormatError(file, [Problem(1, "(file)", "the file is empty")])
    return node


def parse_framework(text: str, file: str = "<framework>",
                    base_lookup: Callable[[str], dict[str, Any] | None] | None = None
                    ) -> dict[str, Any]:
    """Validate a framework file and return its document (extensions merged into their base).

    ``base_lookup(id)`` returns the document of a framework this one may ``extends``; without
    it, an ``extends`` is a problem. Raises :class:`FrameworkFormatError` listing every problem
    (file, line, field); nothing is returned for a file with any problem.
    """
    root = _compose(text, file)
    r = _Reader()
    f = r.mapping(root, "", {"format", "id", "version", "functions"},
                  {"title", "description", "extends", "references"})
    if f is None:
        raise FrameworkFormatError(file, r.problems)
    extending = "extends" in f
    if "title" not in f and not extending:
        r.problem(root, "title", "required field is missing")
    r.string(f.get("format"), "format", choices={FORMAT})
    doc: dict[str, Any] = {
        "format": FORMAT,
        "id": r.string(f.get("id"), "id", pattern=_ID),
        "version": r.string(f.get("version"), "version", max_len=20),
        "title": r.text(f.get("title"), "title"),
        "description": r.text(f.get("description"), "description"),
        "extends": r.string(f.get("extends"), "extends", pattern=_ID),
        "references": _parse_references(r, f.get("references")),
        "functions": [fn for i, node in enumerate(r.sequence(f.get("functions"), "functions", 7))
                      if (fn := _parse_function(r, node, f"functions[{i}]", extending))],
    }
    if extending and doc["extends"] and doc["extends"] == doc["id"]:
        r.problem(f["extends"], "extends", "a framework cannot extend itself")
    elif extending and doc["extends"]:
        base = base_lookup(doc["extends"]) if base_lookup else None
        if base is None:
            r.problem(f["extends"], "extends", f"no framework {doc['extends']!r} to extend")
        else:
            doc = _merge(r, base, doc)
    _check_whole(r, doc)
    if r.problems:
        raise FrameworkFormatError(file, r.problems)
    return _strip(doc)


# ----------------------------------------------------------------------------- whole-file rules


def _merge(r: _Reader, base: dict[str, Any], ext: dict[str, Any]) -> dict[str, Any]:
    """The base framework with the extension's references, functions, categories, outcomes."""
    merged = _copy(base)
    merged.update(id=ext["id"], version=ext["version"], extends=ext["extends"],
                  title=ext["title"] or base["title"],
                  description=ext["description"] or base.get("description"))
    refs = {ref["id"]: ref for ref in merged["references"]}
    for ref in ext["references"]:
        if ref["id"] in refs:
            refs[ref["id"]]["outline"].update(ref["outline"])
        else:
            merged["references"].append(ref)
    functions = {fn["id"]: fn for fn in merged["functions"]}
    for i, fn in enumerate(ext["functions"]):
        target = functions.get(fn["id"])
        if target is None:
            for key in ("function", "title"):
                if not fn[key]:
                    r.problems.append(Problem(fn["_line"], f"functions[{i}].{key}",
                                              "required for a function the base does not have"))
            merged["functions"].append(fn)
            continue
        if fn["function"] and fn["function"] != target["function"]:
            r.problems.append(Problem(fn["_line"], f"functions[{i}].function",
                                      f"the base maps {fn['id']} to {target['function']}"))
        target["title"] = fn["title"] or target["title"]
        _merge_categories(r, target, fn, f"functions[{i}]")
    return merged


def _merge_categories(r: _Reader, target: dict[str, Any], fn: dict[str, Any],
                      path: str) -> None:
    categories = {c["id"]: c for c in target["categories"]}
    for j, cat in enumerate(fn["categories"]):
        existing = categories.get(cat["id"])
        if existing is None:
            if not cat["title"]:
                r.problems.append(Problem(cat["_line"], f"{path}.categories[{j}].title",
                                          "required for a category the base does not have"))
            target["categories"].append(cat)
        else:
            existing["title"] = cat["title"] or existing["title"]
            existing["outcomes"].extend(cat["outcomes"])


def _check_whole(r: _Reader, doc: dict[str, Any]) -> None:
    """Unique ids across the file, one function per key, mappings that name outline keys."""
    outlines = {ref["id"]: ref["outline"] for ref in doc["references"] if ref.get("id")}
    seen_functions: dict[str, str] = {}
    seen_ids: set[str] = set()
    total = 0
    for i, fn in enumerate(doc["functions"]):
        key = fn.get("function")
        if key and key in seen_functions:
            r.problems.append(Problem(fn.get("_line", 1), f"functions[{i}].function",
                                      f"{key} is already {seen_functions[key]}"))
        elif key:
            seen_functions[key] = fn["id"]
        for j, cat in enumerate(fn["categories"]):
            for ident, path, line in ([(fn["id"], f"functions[{i}].id", fn.get("_line", 1))]
                                      if j == 0 else []) + [
                    (cat["id"], f"functions[{i}].categories[{j}].id", cat.get("_line", 1))]:
                _unique(r, seen_ids, ident, path, line)
            for k, out in enumerate(cat["outcomes"]):
                total += 1
                path = f"functions[{i}].categories[{j}].outcomes[{k}]"
                _unique(r, seen_ids, out["id"], f"{path}.id", out.get("_line", 1))
                _check_mappings(r, out, outlines, path)
    if total > MAX_OUTCOMES:
        r.problems.append(Problem(1, "functions", f"more than {MAX_OUTCOMES} outcomes"))


def _unique(r: _Reader, seen: set[str], ident: str | None, path: str, line: int) -> None:
    if ident and ident in seen:
        r.problems.append(Problem(line, path, f"{ident} is used twice"))
    elif ident:
        seen.add(ident)


def _check_mappings(r: _Reader, out: dict[str, Any], outlines: dict[str, dict[str, Any]],
                    path: str) -> None:
    for ref, keys in out["mappings"].items():
        line = out.get("_mapping_lines", {}).get(ref, out.get("_line", 1))
        if ref not in outlines:
            r.problems.append(Problem(line, f"{path}.mappings.{ref}",
                                      "no such reference in references[]"))
            continue
        for key in keys:
            if key not in outlines[ref]:
                r.problems.append(Problem(line, f"{path}.mappings.{ref}",
                                          f"{key!r} is not in the outline of {ref}"))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _strip(value: Any) -> Any:
    """The document without the line annotations used while validating."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# ----------------------------------------------------------------------------- reading documents


class Framework:
    """A validated framework document with its outcomes indexed by id."""

    def __init__(self, doc: dict[str, Any], *, builtin: bool = False,
                 owner_tenant_id: str | None = None) -> None:
        self.doc = doc
        self.builtin = builtin
        self.owner_tenant_id = owner_tenant_id
        self.outcomes: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
            o["id"]: (fn, cat, o)
            for fn in doc["functions"] for cat in fn["categories"] for o in cat["outcomes"]}

    @property
    def id(self) -> str:
        """The framework's id (``ip-csf`` for the built-in one)."""
        return str(self.doc["id"])

    def outline(self, reference: str, key: str) -> dict[str, str] | None:
        """Our paraphrase of a referenced clause or stage."""
        for ref in self.doc["references"]:
            if ref["id"] == reference:
                return ref["outline"].get(key)
        return None


def shipped_catalogs() -> list[FrameworkCatalog]:
    """This plugin's framework files (hook ``register_framework_catalogs``)."""
    return [FrameworkCatalog(BUILTIN_ID, DATA_DIR / "ip-csf-1.0.yaml",
                             "IP Cybersecurity-style Framework (IP-CSF)")]


@cache
def builtin_frameworks(files: tuple[Path, ...] = ()) -> dict[str, Framework]:
    """The frameworks shipped as files, validated once per process: ``files`` (what every
    plugin contributes through ``register_framework_catalogs``), else this plugin's own."""
    found = {}
    for path in files or tuple(c.path for c in shipped_catalogs()):
        doc = parse_framework(path.read_text(encoding="utf-8"), path.name)
        found[doc["id"]] = Framework(doc, builtin=True)
    return found


def weight(priority: str | None) -> int:
    """The weight of an outcome's priority in gap analysis (high 3, medium 2, low 1)."""
    return PRIORITY_WEIGHTS.get(priority or "", 1)
